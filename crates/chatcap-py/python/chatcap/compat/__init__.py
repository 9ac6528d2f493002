"""Drop-in replacements for other packages' APIs, computed by chatcap."""
