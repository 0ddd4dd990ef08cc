//! Reading a recorded PostgreSQL connection (protocol 3.0): the client's messages are
//! paired with the server's answers into the statements that were executed, each with
//! its SQL, its parameters as sent and the rows it returned.

use std::collections::HashMap;

use anyhow::{bail, Context};

/// One protocol message: its type byte (0 for the untyped startup message) and body.
#[derive(Debug, Clone)]
struct Message {
    tag: u8,
    body: Vec<u8>,
    /// Where it starts in the recorded stream.
    offset: usize,
}

/// A value as it travelled: its type, whether binary, and its bytes (`None`: NULL).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Value {
    pub oid: u32,
    pub binary: bool,
    pub bytes: Option<Vec<u8>>,
}

/// One statement the client had executed.
#[derive(Debug, Clone)]
pub struct Executed {
    pub sql: String,
    pub params: Vec<Value>,
    /// Result column names.
    pub columns: Vec<String>,
    pub rows: Vec<Vec<Value>>,
    /// The command tag, e.g. `INSERT 0 1`.
    pub tag: String,
    /// Where the client's first message for it starts in the recorded stream.
    pub offset: usize,
}

fn split(bytes: &[u8], startup: bool) -> anyhow::Result<Vec<Message>> {
    let mut messages = Vec::new();
    let mut at = 0;
    let mut untyped = startup;
    while at < bytes.len() {
        let (tag, header) = if untyped { (0, 0) } else { (bytes[at], 1) };
        let len_at = at + header;
        let len_bytes: [u8; 4] = bytes
            .get(len_at..len_at + 4)
            .context("a truncated message")?
            .try_into()?;
        let len = usize::try_from(u32::from_be_bytes(len_bytes))?;
        let body = bytes
            .get(len_at + 4..len_at + len)
            .context("a truncated message")?;
        if untyped && body.get(..4) == Some(&[0x04, 0xd2, 0x16, 0x2f]) {
            bail!("the client asked for TLS; the capture connects with sslmode=disable");
        }
        messages.push(Message {
            tag,
            body: body.to_vec(),
            offset: at,
        });
        untyped = false;
        at = len_at + len;
    }
    Ok(messages)
}

/// A cursor over a message body.
struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> anyhow::Result<&'a [u8]> {
        if n > self.0.len() {
            bail!("a message is shorter than its fields");
        }
        let (head, rest) = self.0.split_at(n);
        self.0 = rest;
        Ok(head)
    }
    fn i16(&mut self) -> anyhow::Result<i16> {
        Ok(i16::from_be_bytes(self.take(2)?.try_into()?))
    }
    fn i32(&mut self) -> anyhow::Result<i32> {
        Ok(i32::from_be_bytes(self.take(4)?.try_into()?))
    }
    fn cstr(&mut self) -> anyhow::Result<String> {
        let end = self
            .0
            .iter()
            .position(|b| *b == 0)
            .context("an unterminated string")?;
        let text = String::from_utf8_lossy(self.take(end)?).into_owned();
        self.take(1)?;
        Ok(text)
    }
    fn count(&mut self) -> anyhow::Result<usize> {
        Ok(usize::try_from(self.i16()?)?)
    }
}

#[derive(Debug, Clone, Default)]
struct Statement {
    sql: String,
    param_oids: Vec<u32>,
    column_names: Vec<String>,
    column_oids: Vec<u32>,
}

#[derive(Debug, Clone, Default)]
struct Portal {
    statement: Statement,
    params: Vec<Value>,
    binary_results: Vec<bool>,
    offset: usize,
}

/// Reads `(names, oids)` from a RowDescription.
fn row_description(body: &[u8]) -> anyhow::Result<(Vec<String>, Vec<u32>)> {
    let mut r = Reader(body);
    let mut names = Vec::new();
    let mut oids = Vec::new();
    for _ in 0..r.count()? {
        names.push(r.cstr()?);
        r.take(6)?;
        oids.push(u32::try_from(r.i32()?)?);
        r.take(8)?;
    }
    Ok((names, oids))
}

fn data_row(body: &[u8], oids: &[u32], binary: &[bool]) -> anyhow::Result<Vec<Value>> {
    let mut r = Reader(body);
    let mut values = Vec::new();
    for i in 0..r.count()? {
        let len = r.i32()?;
        let bytes = if len < 0 {
            None
        } else {
            Some(r.take(usize::try_from(len)?)?.to_vec())
        };
        values.push(Value {
            oid: oids.get(i).copied().unwrap_or(0),
            binary: binary.get(i).copied().unwrap_or(false),
            bytes,
        });
    }
    Ok(values)
}

/// The answers, skipping what the server may send at any time.
struct Answers {
    messages: Vec<Message>,
    at: usize,
}

impl Answers {
    fn next(&mut self) -> anyhow::Result<&Message> {
        loop {
            let message = self
                .messages
                .get(self.at)
                .context("the server's answers end early")?;
            self.at += 1;
            match message.tag {
                b'N' | b'S' | b'A' => continue,
                b'E' => bail!(
                    "the server answered an error during the capture: {}",
                    String::from_utf8_lossy(&message.body).replace('\0', " ")
                ),
                _ => return Ok(message),
            }
        }
    }
    fn expect(&mut self, tag: u8) -> anyhow::Result<&Message> {
        let message = self.next()?;
        if message.tag != tag {
            bail!(
                "expected '{}' from the server, got '{}'",
                tag as char,
                message.tag as char
            );
        }
        Ok(message)
    }
}

/// Every statement executed on a recorded connection, in order.
pub fn executed(to_server: &[u8], to_client: &[u8]) -> anyhow::Result<Vec<Executed>> {
    let requests = split(to_server, true)?;
    let mut answers = Answers {
        messages: split(to_client, false)?,
        at: 0,
    };
    let mut statements: HashMap<String, Statement> = HashMap::new();
    let mut portals: HashMap<String, Portal> = HashMap::new();
    let mut out = Vec::new();
    for request in &requests {
        let mut r = Reader(&request.body);
        match request.tag {
            0 => while answers.next()?.tag != b'Z' {},
            b'P' => {
                let name = r.cstr()?;
                let sql = r.cstr()?;
                let mut param_oids = Vec::new();
                for _ in 0..r.count()? {
                    param_oids.push(u32::try_from(r.i32()?)?);
                }
                statements.insert(
                    name,
                    Statement {
                        sql,
                        param_oids,
                        ..Statement::default()
                    },
                );
                answers.expect(b'1')?;
            }
            b'D' => {
                let kind = r.take(1)?.first().copied().unwrap_or(0);
                let name = r.cstr()?;
                if kind == b'S' {
                    let description = answers.expect(b't')?;
                    let mut d = Reader(&description.body);
                    let mut oids = Vec::new();
                    for _ in 0..d.count()? {
                        oids.push(u32::try_from(d.i32()?)?);
                    }
                    let statement = statements
                        .get_mut(&name)
                        .context("Describe of an unknown statement")?;
                    statement.param_oids = oids;
                }
                let rows = answers.next()?;
                let (names, oids) = match rows.tag {
                    b'T' => row_description(&rows.body)?,
                    b'n' => (Vec::new(), Vec::new()),
                    other => bail!("unexpected '{}' after Describe", other as char),
                };
                let target = if kind == b'S' {
                    statements.get_mut(&name)
                } else {
                    portals.get_mut(&name).map(|p| &mut p.statement)
                };
                if let Some(statement) = target {
                    statement.column_names = names;
                    statement.column_oids = oids;
                }
            }
            b'B' => {
                let portal = r.cstr()?;
                let name = r.cstr()?;
                let statement = statements
                    .get(&name)
                    .cloned()
                    .context("Bind of an unknown statement")?;
                let formats: Vec<i16> =
                    (0..r.count()?).map(|_| r.i16()).collect::<Result<_, _>>()?;
                let mut params = Vec::new();
                for i in 0..r.count()? {
                    let len = r.i32()?;
                    let bytes = if len < 0 {
                        None
                    } else {
                        Some(r.take(usize::try_from(len)?)?.to_vec())
                    };
                    let format = formats
                        .get(if formats.len() == 1 { 0 } else { i })
                        .copied()
                        .unwrap_or(0);
                    params.push(Value {
                        oid: statement.param_oids.get(i).copied().unwrap_or(0),
                        binary: format == 1,
                        bytes,
                    });
                }
                let results: Vec<i16> =
                    (0..r.count()?).map(|_| r.i16()).collect::<Result<_, _>>()?;
                let binary_results = (0..statement.column_oids.len())
                    .map(|i| {
                        results
                            .get(if results.len() == 1 { 0 } else { i })
                            .copied()
                            .unwrap_or(0)
                            == 1
                    })
                    .collect();
                portals.insert(
                    portal,
                    Portal {
                        statement,
                        params,
                        binary_results,
                        offset: request.offset,
                    },
                );
                answers.expect(b'2')?;
            }
            b'E' => {
                let name = r.cstr()?;
                let portal = portals
                    .get(&name)
                    .cloned()
                    .context("Execute of an unknown portal")?;
                let mut rows = Vec::new();
                let tag = loop {
                    let answer = answers.next()?;
                    match answer.tag {
                        b'D' => rows.push(data_row(
                            &answer.body,
                            &portal.statement.column_oids,
                            &portal.binary_results,
                        )?),
                        b'C' => break Reader(&answer.body).cstr()?,
                        b'I' => break String::new(),
                        other => bail!("unexpected '{}' after Execute", other as char),
                    }
                };
                out.push(Executed {
                    sql: portal.statement.sql.clone(),
                    params: portal.params,
                    columns: portal.statement.column_names.clone(),
                    rows,
                    tag,
                    offset: portal.offset,
                });
            }
            b'Q' => {
                let sql = r.cstr()?;
                let (mut columns, mut oids, mut rows, mut tag) =
                    (Vec::new(), Vec::new(), Vec::new(), String::new());
                loop {
                    let answer = answers.next()?;
                    match answer.tag {
                        b'T' => (columns, oids) = row_description(&answer.body)?,
                        b'D' => rows.push(data_row(&answer.body, &oids, &[])?),
                        b'C' => tag = Reader(&answer.body).cstr()?,
                        b'Z' => break,
                        _ => {}
                    }
                }
                out.push(Executed {
                    sql,
                    params: Vec::new(),
                    columns,
                    rows,
                    tag,
                    offset: request.offset,
                });
            }
            b'S' => {
                answers.expect(b'Z')?;
            }
            b'C' => {
                answers.expect(b'3')?;
            }
            _ => {}
        }
    }
    Ok(out)
}
