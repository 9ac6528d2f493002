//! The XML form of LivePerson's `availableAgents`, read into the same records as the JSON form:
//! an attribute `id="2"` is the JSON key `@id`, a child element `<chats>1</chats>` the key
//! `chats`, repeated elements a list.

use quick_xml::Reader;
use quick_xml::events::Event;

use crate::de::{Int, OneOrMany, Text, int_message, parse_int};
use crate::liveperson::{
    AgentDto, AgentsDto, AvailableAgents, Link, SkillInfo, Skills, SkillsInfo, StateCode,
};
use crate::{AdapterError, Location};

/// Deeper nesting than this is refused (the payload needs five levels).
const MAX_DEPTH: usize = 64;

#[derive(Debug, Default)]
struct Element {
    name: String,
    attrs: Vec<(String, String)>,
    children: Vec<Element>,
    text: String,
    /// Byte offset of the start tag.
    pos: usize,
}

impl Element {
    fn attr(&self, name: &str) -> Option<&str> {
        self.attrs.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }

    fn children<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Element> + 'a {
        self.children.iter().filter(move |c| c.name == name)
    }

    fn child(&self, name: &str) -> Option<&Element> {
        self.children.iter().find(|c| c.name == name)
    }

    /// A field given either as an attribute or as a child element's text.
    fn field<'a>(&'a self, name: &str) -> Option<(&'a str, usize)> {
        self.attr(name).map(|v| (v, self.pos)).or_else(|| self.child(name).map(|c| (c.text.trim(), c.pos)))
    }
}

struct Ctx<'a> {
    bytes: &'a [u8],
}

impl Ctx<'_> {
    fn at(&self, path: impl Into<String>, pos: usize) -> Location {
        let pos = pos.min(self.bytes.len());
        let before = &self.bytes[..pos];
        let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
        let column = pos - before.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1) + 1;
        Location::path(path).with_line_column(line, column)
    }

    fn err(&self, path: impl Into<String>, pos: usize, message: impl Into<String>) -> AdapterError {
        AdapterError::Xml { at: self.at(path, pos), message: message.into() }
    }
}

fn local(name: &[u8]) -> String {
    let local = name.rsplit(|&b| b == b':').next().unwrap_or(name);
    String::from_utf8_lossy(local).into_owned()
}

fn parse_tree(bytes: &[u8]) -> Result<Element, AdapterError> {
    let ctx = Ctx { bytes };
    let mut reader = Reader::from_reader(bytes);
    let mut buf = Vec::new();
    let mut stack: Vec<Element> = Vec::new();
    let mut root: Option<Element> = None;
    loop {
        let pos = reader.buffer_position() as usize;
        let event = reader.read_event_into(&mut buf).map_err(|e| {
            let epos = reader.error_position() as usize;
            ctx.err(path_of(&stack), epos, format!("malformed xml: {e}"))
        })?;
        match event {
            Event::Start(e) | Event::Empty(e) if root.is_some() => {
                let _ = e;
                return Err(ctx.err(
                    "",
                    pos,
                    "a second root element; expected one root element, availableAgents",
                ));
            }
            Event::Start(e) => {
                if stack.len() >= MAX_DEPTH {
                    return Err(ctx.err(
                        path_of(&stack),
                        pos,
                        format!("elements nested deeper than {MAX_DEPTH} levels"),
                    ));
                }
                let el = element(&ctx, &stack, &e, pos)?;
                stack.push(el);
            }
            Event::Empty(e) => {
                let el = element(&ctx, &stack, &e, pos)?;
                match stack.last_mut() {
                    Some(parent) => parent.children.push(el),
                    None => root = Some(el),
                }
            }
            Event::End(_) => {
                let Some(el) = stack.pop() else {
                    return Err(ctx.err("", pos, "an end tag with no start tag"));
                };
                match stack.last_mut() {
                    Some(parent) => parent.children.push(el),
                    None => root = Some(el),
                }
            }
            Event::Text(t) => {
                let s = t
                    .decode()
                    .map_err(|e| ctx.err(path_of(&stack), pos, format!("text is not utf-8: {e}")))?;
                push_text(&ctx, &mut stack, &s, pos)?;
            }
            Event::CData(t) => {
                let s = t
                    .decode()
                    .map_err(|e| ctx.err(path_of(&stack), pos, format!("text is not utf-8: {e}")))?;
                push_text(&ctx, &mut stack, &s, pos)?;
            }
            Event::GeneralRef(r) => {
                let resolved = match r.resolve_char_ref() {
                    Ok(Some(c)) => c.to_string(),
                    Ok(None) => {
                        let name = r
                            .decode()
                            .map_err(|e| ctx.err(path_of(&stack), pos, format!("not utf-8: {e}")))?;
                        match &*name {
                            "amp" => "&".to_owned(),
                            "lt" => "<".to_owned(),
                            "gt" => ">".to_owned(),
                            "quot" => "\"".to_owned(),
                            "apos" => "'".to_owned(),
                            other => {
                                return Err(ctx.err(
                                    path_of(&stack),
                                    pos,
                                    format!("unknown entity &{other};"),
                                ));
                            }
                        }
                    }
                    Err(e) => {
                        return Err(ctx.err(path_of(&stack), pos, format!("bad character reference: {e}")));
                    }
                };
                push_text(&ctx, &mut stack, &resolved, pos)?;
            }
            Event::Decl(_) | Event::PI(_) | Event::Comment(_) | Event::DocType(_) => {}
            Event::Eof => break,
        }
        buf.clear();
    }
    if !stack.is_empty() {
        return Err(ctx.err(
            path_of(&stack),
            bytes.len(),
            "the document ends inside this element; expected its end tag (is the payload truncated?)",
        ));
    }
    root.ok_or_else(|| ctx.err("", 0, "no root element; expected availableAgents"))
}

fn push_text(ctx: &Ctx<'_>, stack: &mut [Element], s: &str, pos: usize) -> Result<(), AdapterError> {
    match stack.last_mut() {
        Some(el) => {
            el.text.push_str(s);
            Ok(())
        }
        None if s.trim().is_empty() => Ok(()),
        None => Err(ctx.err("", pos, "text outside the root element")),
    }
}

fn path_of(stack: &[Element]) -> String {
    stack.iter().map(|e| e.name.as_str()).collect::<Vec<_>>().join(".")
}

fn element(
    ctx: &Ctx<'_>,
    stack: &[Element],
    e: &quick_xml::events::BytesStart<'_>,
    pos: usize,
) -> Result<Element, AdapterError> {
    let name = local(e.name().as_ref());
    let mut attrs = Vec::new();
    for a in e.attributes() {
        let path = if stack.is_empty() { name.clone() } else { format!("{}.{name}", path_of(stack)) };
        let a = a.map_err(|err| ctx.err(&path, pos, format!("malformed attribute: {err}")))?;
        let v = a
            .unescape_value()
            .map_err(|err| ctx.err(&path, pos, format!("malformed attribute value: {err}")))?;
        attrs.push((local(a.key.as_ref()), v.into_owned()));
    }
    Ok(Element { name, attrs, children: Vec::new(), text: String::new(), pos })
}

/// Reads the XML `availableAgents` document into the JSON form's records.
pub(crate) fn available_agents(bytes: &[u8]) -> Result<AvailableAgents, AdapterError> {
    let ctx = Ctx { bytes };
    let root = parse_tree(bytes)?;
    if root.name != "availableAgents" {
        return Err(ctx.err(
            &root.name,
            root.pos,
            format!("root element is <{}>; expected <availableAgents>", root.name),
        ));
    }
    let link = root
        .children("link")
        .map(|l| Link { href: l.attr("href").map(str::to_owned), rel: l.attr("rel").map(str::to_owned) })
        .collect();
    let mut agents = Vec::new();
    let mut has_agents = false;
    for list in root.children("agents") {
        has_agents = true;
        for a in list.children("agent") {
            let path = format!("availableAgents.agents.agent[{}]", agents.len());
            agents.push(agent(&ctx, a, &path)?);
        }
    }
    Ok(AvailableAgents {
        agents: has_agents.then_some(AgentsDto { agent: OneOrMany(agents) }),
        link: OneOrMany(link),
    })
}

fn text(el: &Element, name: &str) -> Option<Text> {
    el.field(name).map(|(v, _)| Text(v.to_owned()))
}

fn int(ctx: &Ctx<'_>, el: &Element, name: &str, path: &str) -> Result<Option<Int>, AdapterError> {
    let is_attr = el.attr(name).is_some();
    match el.field(name) {
        None => Ok(None),
        Some((v, _)) if v.is_empty() && !is_attr => Ok(None),
        Some((v, pos)) => parse_int(v).map(|n| Some(Int(n))).map_err(|e| {
            let key = if is_attr { format!("@{name}") } else { name.to_owned() };
            ctx.err(format!("{path}.{key}"), pos, int_message(&format!("{v:?}"), e))
        }),
    }
}

fn agent(ctx: &Ctx<'_>, a: &Element, path: &str) -> Result<AgentDto, AdapterError> {
    let skills = a.child("skills").map(|s| Skills {
        skill: OneOrMany(s.children("skill").map(|k| Text(k.text.trim().to_owned())).collect()),
    });
    let skills_info = a.child("skillsInfo").map(|s| SkillsInfo {
        skill_info: OneOrMany(
            s.children("skillInfo").map(|k| SkillInfo { id: text(k, "id"), name: text(k, "name") }).collect(),
        ),
    });
    let id_at = a.field("id").map(|(_, pos)| {
        let at = ctx.at("", pos);
        let key = if a.attr("id").is_some() { "@id" } else { "id" };
        (key, at.line.unwrap_or(1), at.column.unwrap_or(1))
    });
    Ok(AgentDto {
        id: text(a, "id"),
        id_at,
        chat_state: text(a, "chatState").map(StateCode::from),
        voice_state: text(a, "voiceState").map(StateCode::from),
        max_chats: int(ctx, a, "maxChats", path)?,
        user_name: text(a, "userName"),
        nickname: text(a, "nickname"),
        email: text(a, "email"),
        privilege_group: text(a, "privilegeGroup"),
        skills,
        skills_info,
        chats: int(ctx, a, "chats", path)?,
        agent_group_name: text(a, "agentGroupName"),
        agent_group_id: text(a, "agentGroupId"),
        elapsed_time_in_state: int(ctx, a, "elapsedTimeInState", path)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(xml: &str) -> AdapterError {
        available_agents(xml.as_bytes()).unwrap_err()
    }

    #[test]
    fn wrong_root_second_root_and_text_outside() {
        assert!(err("<agents/>").to_string().contains("expected <availableAgents>"));
        assert!(err("<availableAgents/><availableAgents/>").to_string().contains("second root"));
        assert!(err("<availableAgents/>junk").to_string().contains("outside the root"));
        assert!(err("").to_string().contains("no root element"));
    }

    #[test]
    fn nesting_is_bounded() {
        let deep = "<a>".repeat(MAX_DEPTH + 1);
        assert!(err(&deep).to_string().contains("nested deeper"));
    }

    #[test]
    fn mismatched_end_tag_is_an_error_with_a_line() {
        let e = err("<availableAgents>\n<agents>\n</agent>\n</availableAgents>");
        assert!(matches!(e, AdapterError::Xml { .. }));
        assert_eq!(e.location().line, Some(3), "{e}");
    }

    #[test]
    fn entities_and_cdata_become_text() {
        let doc = available_agents(
            br#"<availableAgents><agents><agent id="1"><userName>a&amp;b&#33;<![CDATA[<c>]]></userName></agent></agents></availableAgents>"#,
        )
        .unwrap();
        let a = &doc.agents.unwrap().agent.0[0];
        assert_eq!(a.user_name.as_ref().unwrap().0, "a&b!<c>");
    }

    #[test]
    fn namespaced_names_use_the_local_part() {
        let doc = available_agents(br#"<lp:availableAgents xmlns:lp="x"><lp:agents><lp:agent id="9"/></lp:agents></lp:availableAgents>"#)
            .unwrap();
        assert_eq!(doc.agents.unwrap().agent.0[0].id.as_ref().unwrap().0, "9");
    }
}
