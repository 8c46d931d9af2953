//! The XML underneath the WordPress and Disqus readers: quick-xml over a `BufRead`, owned
//! events, the stack of open elements (so a file cut short is noticed), and one driver
//! that every export format's reader shares.

use std::collections::VecDeque;
use std::io::BufRead;

use quick_xml::events::Event;
use quick_xml::{Reader, XmlVersion};

use super::{InputError, Record};

/// One export format read from an [`XmlStream`]: the reader keeps its own state and says
/// what an opening and a closing element mean; [`next_record`] and [`step`] do the rest
/// the same way for every format (hand out records, gather the text of the field being
/// read, tell a whole document from one that is cut short).
pub(super) trait ExportReader<R: BufRead> {
    /// The root element, and the format's name in an error ("a WordPress export").
    const ROOT: &'static str;
    const NAME: &'static str;
    fn state(&mut self) -> &mut ReaderState<R>;
    fn start(&mut self, name: String) -> Result<(), InputError>;
    fn end(&mut self, name: String) -> Result<(), InputError>;
    /// An error made specific: the record it is in, and where in the file.
    fn located(&self, error: XmlError) -> InputError;
}

/// What every format's reader keeps the same way.
pub(super) struct ReaderState<R> {
    pub xml: XmlStream<R>,
    /// Records made but not yet handed out.
    pub queue: VecDeque<Record>,
    /// The text of the field being read, and the depth of its element.
    pub capture: Option<(usize, String)>,
    pub finished: bool,
}

impl<R: BufRead> ReaderState<R> {
    pub fn new(input: R) -> Self {
        Self {
            xml: XmlStream::new(input),
            queue: VecDeque::new(),
            capture: None,
            finished: false,
        }
    }

    /// Starts gathering the text of the element just opened, unless a field is being
    /// read already.
    pub fn capture_here(&mut self) {
        if self.capture.is_none() {
            self.capture = Some((self.xml.depth(), String::new()));
        }
    }

    /// The text gathered for the element that is closing, if it was being read.
    pub fn captured_at_close(&mut self) -> Option<String> {
        // `depth` still counts the element that closes.
        let depth = self.xml.depth() + 1;
        match &self.capture {
            Some((at, _)) if *at == depth => self.capture.take().map(|(_, text)| text),
            _ => None,
        }
    }
}

/// The reader's next record; after an error, nothing more.
pub(super) fn next_record<R: BufRead, F: ExportReader<R>>(
    reader: &mut F,
) -> Option<Result<Record, InputError>> {
    loop {
        let state = reader.state();
        if let Some(record) = state.queue.pop_front() {
            return Some(Ok(record));
        }
        if state.finished {
            return None;
        }
        if let Err(error) = step(reader) {
            let state = reader.state();
            state.finished = true;
            state.queue.clear();
            return Some(Err(error));
        }
    }
}

/// Reads one XML event and acts on it.
fn step<R: BufRead, F: ExportReader<R>>(reader: &mut F) -> Result<(), InputError> {
    let event = match reader.state().xml.next() {
        Ok(event) => event,
        Err(error) => return Err(reader.located(error)),
    };
    match event {
        XmlEvent::Start(name) => {
            if reader.state().xml.depth() == 1 && name != F::ROOT {
                return Err(InputError::new(
                    "byte 0",
                    format!(
                        "the document is a <{name}>, not {} (<{}>)",
                        F::NAME,
                        F::ROOT
                    ),
                ));
            }
            reader.start(name)
        }
        XmlEvent::Text(text) => {
            if let Some((_, buffer)) = &mut reader.state().capture {
                buffer.push_str(&text);
            }
            Ok(())
        }
        XmlEvent::End(name) => reader.end(name),
        XmlEvent::Eof => {
            let state = reader.state();
            if state.xml.depth() == 0 && state.xml.saw_root() {
                state.finished = true;
                return Ok(());
            }
            let xml = &state.xml;
            let open = xml.open_elements();
            let position = xml.position();
            let reason = if open.is_empty() {
                format!("the file is empty: not {}", F::NAME)
            } else {
                format!("the file ends inside {open}: it is cut short")
            };
            Err(reader.located(XmlError { position, reason }))
        }
    }
}

/// What the readers need of an XML event, owned.
pub(super) enum XmlEvent {
    /// An element opens (`<a/>` opens and closes): its qualified name; its attributes are
    /// in [`XmlStream::attributes`] until the next event.
    Start(String),
    /// Text, CDATA or one reference, decoded.
    Text(String),
    End(String),
    Eof,
}

pub(super) struct XmlError {
    pub position: u64,
    pub reason: String,
}

/// quick-xml over a `BufRead`, keeping the stack of open elements (so a file that stops
/// inside one is noticed) and one event's buffer.
pub(super) struct XmlStream<R> {
    reader: Reader<R>,
    buffer: Vec<u8>,
    open: Vec<String>,
    attributes: Vec<(String, String)>,
    root_seen: bool,
}

impl<R: BufRead> XmlStream<R> {
    pub fn new(input: R) -> Self {
        let mut reader = Reader::from_reader(input);
        reader.config_mut().expand_empty_elements = true;
        Self {
            reader,
            buffer: Vec::with_capacity(4096),
            open: Vec::new(),
            attributes: Vec::new(),
            root_seen: false,
        }
    }

    /// How many elements are open (after a `Start`, it counts the one that opened).
    pub fn depth(&self) -> usize {
        self.open.len()
    }

    pub fn saw_root(&self) -> bool {
        self.root_seen
    }

    /// The open elements counted from the innermost: `open_from_end(0)` is the one that
    /// just opened (after `Start`) or the one that holds the one that just closed (after
    /// `End`).
    pub fn open_from_end(&self, steps: usize) -> Option<&str> {
        self.open
            .len()
            .checked_sub(steps + 1)
            .map(|i| self.open[i].as_str())
    }

    /// `<a> in <b>`, innermost first, for an error message.
    pub fn open_elements(&self) -> String {
        let innermost: Vec<String> = self
            .open
            .iter()
            .rev()
            .take(3)
            .map(|name| format!("<{name}>"))
            .collect();
        innermost.join(" in ")
    }

    /// The attributes of the element that just opened.
    pub fn attributes(&self) -> &[(String, String)] {
        &self.attributes
    }

    pub fn position(&self) -> u64 {
        self.reader.buffer_position()
    }

    pub fn next(&mut self) -> Result<XmlEvent, XmlError> {
        loop {
            self.buffer.clear();
            let event = match self.reader.read_event_into(&mut self.buffer) {
                Ok(event) => event,
                Err(error) => {
                    return Err(XmlError {
                        position: self.reader.error_position(),
                        reason: format!("malformed XML: {error}"),
                    })
                }
            };
            match event {
                Event::Start(start) => {
                    let name = start.name().into_inner().to_string();
                    self.attributes.clear();
                    for attribute in start.attributes() {
                        let attribute = attribute.map_err(|error| XmlError {
                            position: self.reader.buffer_position(),
                            reason: format!("malformed XML attribute: {error}"),
                        })?;
                        let value = attribute
                            .normalized_value(XmlVersion::Implicit1_0)
                            .map_err(|error| XmlError {
                                position: self.reader.buffer_position(),
                                reason: format!("malformed XML attribute: {error}"),
                            })?;
                        self.attributes
                            .push((attribute.key.into_inner().to_string(), value.into_owned()));
                    }
                    if self.open.is_empty() {
                        if self.root_seen {
                            return Err(XmlError {
                                position: self.reader.buffer_position(),
                                reason: format!("a second root element <{name}>"),
                            });
                        }
                        self.root_seen = true;
                    }
                    self.open.push(name.clone());
                    return Ok(XmlEvent::Start(name));
                }
                Event::End(end) => {
                    let name = end.name().into_inner().to_string();
                    self.open.pop();
                    return Ok(XmlEvent::End(name));
                }
                Event::Text(text) => {
                    if self.open.is_empty() {
                        continue;
                    }
                    return Ok(XmlEvent::Text(text.xml10_content().into_owned()));
                }
                Event::CData(data) => {
                    return Ok(XmlEvent::Text(data.xml10_content().into_owned()));
                }
                Event::GeneralRef(reference) => {
                    let position = self.reader.buffer_position();
                    let text = match reference.resolve_char_ref() {
                        Ok(Some(c)) => c.to_string(),
                        Ok(None) => match &*reference {
                            "lt" => "<".to_string(),
                            "gt" => ">".to_string(),
                            "amp" => "&".to_string(),
                            "apos" => "'".to_string(),
                            "quot" => "\"".to_string(),
                            other => {
                                return Err(XmlError {
                                    position,
                                    reason: format!("unknown entity &{other}; (XML knows only &lt; &gt; &amp; &apos; &quot;)"),
                                })
                            }
                        },
                        Err(error) => {
                            return Err(XmlError {
                                position,
                                reason: format!("malformed character reference: {error}"),
                            })
                        }
                    };
                    return Ok(XmlEvent::Text(text));
                }
                Event::Eof => return Ok(XmlEvent::Eof),
                Event::Empty(_)
                | Event::Comment(_)
                | Event::Decl(_)
                | Event::PI(_)
                | Event::DocType(_) => continue,
            }
        }
    }
}
