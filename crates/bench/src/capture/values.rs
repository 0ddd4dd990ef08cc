//! Values as PostgreSQL prints them: the binary wire format of the types Tally sends,
//! turned into the text a pgbench variable carries.

use anyhow::{bail, Context};

use super::wire::Value;

pub const BOOL: u32 = 16;
pub const BYTEA: u32 = 17;
pub const INT8: u32 = 20;
pub const INT2: u32 = 21;
pub const INT4: u32 = 23;
pub const TEXT: u32 = 25;
pub const JSON: u32 = 114;
pub const FLOAT4: u32 = 700;
pub const FLOAT8: u32 = 701;
pub const BPCHAR: u32 = 1042;
pub const VARCHAR: u32 = 1043;
pub const DATE: u32 = 1082;
pub const TIMESTAMP: u32 = 1114;
pub const TIMESTAMPTZ: u32 = 1184;
pub const NUMERIC: u32 = 1700;
pub const UUID: u32 = 2950;
pub const JSONB: u32 = 3802;
pub const VOID: u32 = 2278;
pub const INT4_ARRAY: u32 = 1007;
pub const TEXT_ARRAY: u32 = 1009;
pub const INT8_ARRAY: u32 = 1016;

/// The SQL name of a type, for casts in the script (`None`: leave it to the server).
pub fn type_name(oid: u32) -> Option<&'static str> {
    Some(match oid {
        BOOL => "boolean",
        BYTEA => "bytea",
        INT8 => "bigint",
        INT2 => "smallint",
        INT4 => "integer",
        TEXT => "text",
        JSON => "json",
        FLOAT4 => "real",
        FLOAT8 => "double precision",
        BPCHAR => "character",
        VARCHAR => "character varying",
        DATE => "date",
        TIMESTAMP => "timestamp",
        TIMESTAMPTZ => "timestamptz",
        NUMERIC => "numeric",
        UUID => "uuid",
        JSONB => "jsonb",
        INT4_ARRAY => "integer[]",
        TEXT_ARRAY => "text[]",
        INT8_ARRAY => "bigint[]",
        _ => return None,
    })
}

/// Whether values of this type are text a script can take apart.
pub fn is_textual(oid: u32) -> bool {
    matches!(oid, TEXT | VARCHAR | BPCHAR | JSON | JSONB | TEXT_ARRAY | 0)
}

pub fn is_integer(oid: u32) -> bool {
    matches!(oid, INT2 | INT4 | INT8)
}

pub fn is_timestamp(oid: u32) -> bool {
    matches!(oid, TIMESTAMP | TIMESTAMPTZ)
}

/// Microseconds since 2000-01-01 of a binary timestamp.
pub fn timestamp_micros(value: &Value) -> Option<i64> {
    let bytes = value.bytes.as_deref()?;
    (value.binary && is_timestamp(value.oid))
        .then(|| bytes.try_into().ok().map(i64::from_be_bytes))
        .flatten()
}

/// The text form of `value` (`None` for NULL).
pub fn text(value: &Value) -> anyhow::Result<Option<String>> {
    let Some(bytes) = value.bytes.as_deref() else {
        return Ok(None);
    };
    if !value.binary {
        return Ok(Some(String::from_utf8_lossy(bytes).into_owned()));
    }
    let fixed = |n: usize| -> anyhow::Result<&[u8]> {
        if bytes.len() != n {
            bail!(
                "a binary value of type {} has {} bytes",
                value.oid,
                bytes.len()
            );
        }
        Ok(bytes)
    };
    let text = match value.oid {
        BOOL => if fixed(1)?.first() == Some(&1) {
            "t"
        } else {
            "f"
        }
        .to_string(),
        INT2 => i16::from_be_bytes(fixed(2)?.try_into()?).to_string(),
        INT4 => i32::from_be_bytes(fixed(4)?.try_into()?).to_string(),
        INT8 => i64::from_be_bytes(fixed(8)?.try_into()?).to_string(),
        FLOAT4 => f32::from_be_bytes(fixed(4)?.try_into()?).to_string(),
        FLOAT8 => f64::from_be_bytes(fixed(8)?.try_into()?).to_string(),
        TEXT | VARCHAR | BPCHAR | JSON => String::from_utf8(bytes.to_vec())?,
        JSONB => String::from_utf8(bytes.get(1..).context("an empty jsonb")?.to_vec())?,
        BYTEA => {
            let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
            format!("\\x{hex}")
        }
        UUID => {
            let hex: String = fixed(16)?.iter().map(|b| format!("{b:02x}")).collect();
            let part = |a: usize, b: usize| hex.get(a..b).unwrap_or_default().to_string();
            [
                part(0, 8),
                part(8, 12),
                part(12, 16),
                part(16, 20),
                part(20, 32),
            ]
            .join("-")
        }
        TIMESTAMP | TIMESTAMPTZ => {
            let micros = i64::from_be_bytes(fixed(8)?.try_into()?);
            let at =
                time::macros::datetime!(2000-01-01 0:00 UTC) + time::Duration::microseconds(micros);
            let zone = if value.oid == TIMESTAMPTZ { "+00" } else { "" };
            format!(
                "{:04}-{:02}-{:02} {:02}:{:02}:{:02}.{:06}{zone}",
                at.year(),
                u8::from(at.month()),
                at.day(),
                at.hour(),
                at.minute(),
                at.second(),
                at.microsecond()
            )
        }
        DATE => {
            let days = i32::from_be_bytes(fixed(4)?.try_into()?);
            let at = time::macros::date!(2000 - 01 - 01) + time::Duration::days(days.into());
            format!(
                "{:04}-{:02}-{:02}",
                at.year(),
                u8::from(at.month()),
                at.day()
            )
        }
        NUMERIC => numeric(bytes)?,
        VOID => String::new(),
        INT4_ARRAY | TEXT_ARRAY | INT8_ARRAY => array(bytes)?,
        other => bail!("a binary value of type oid {other}, which the capture cannot print"),
    };
    Ok(Some(text))
}

/// A one-dimensional array's binary form — ndim, has-nulls, element type, then per
/// dimension its length and lower bound, then each element's length (-1: NULL) and
/// binary value — as PostgreSQL prints it: `{1,2}`, `{"a","b"}`.
fn array(bytes: &[u8]) -> anyhow::Result<String> {
    fn word(bytes: &[u8], at: &mut usize) -> anyhow::Result<i32> {
        let w = bytes
            .get(*at..*at + 4)
            .context("a short array")?
            .try_into()
            .map(i32::from_be_bytes)?;
        *at += 4;
        Ok(w)
    }
    let mut at = 0;
    let dims = word(bytes, &mut at)?;
    let _has_nulls = word(bytes, &mut at)?;
    let element = u32::try_from(word(bytes, &mut at)?)?;
    if dims == 0 {
        return Ok("{}".into());
    }
    if dims != 1 {
        bail!("an array of {dims} dimensions, which the capture cannot print");
    }
    let len = word(bytes, &mut at)?;
    let _lower = word(bytes, &mut at)?;
    let mut items = Vec::new();
    for _ in 0..len {
        let n = word(bytes, &mut at)?;
        if n < 0 {
            items.push("NULL".to_string());
            continue;
        }
        let n = usize::try_from(n)?;
        let item = bytes.get(at..at + n).context("a short array element")?;
        at += n;
        let value = Value {
            oid: element,
            binary: true,
            bytes: Some(item.to_vec()),
        };
        let shown = text(&value)?.unwrap_or_default();
        items.push(if is_textual(element) {
            format!("\"{}\"", shown.replace('\\', "\\\\").replace('"', "\\\""))
        } else {
            shown
        });
    }
    Ok(format!("{{{}}}", items.join(",")))
}

/// NUMERIC's binary form: ndigits, weight, sign, dscale, then base-10000 digits.
fn numeric(bytes: &[u8]) -> anyhow::Result<String> {
    let word = |i: usize| -> anyhow::Result<i16> {
        Ok(i16::from_be_bytes(
            bytes
                .get(2 * i..2 * i + 2)
                .context("a short numeric")?
                .try_into()?,
        ))
    };
    let ndigits = usize::try_from(word(0)?)?;
    let weight = i64::from(word(1)?);
    let sign = word(2)? as u16;
    let dscale = usize::try_from(word(3)?)?;
    if sign == 0xC000 {
        return Ok("NaN".into());
    }
    let digits: Vec<i16> = (0..ndigits)
        .map(|i| word(4 + i))
        .collect::<Result<_, _>>()?;
    let digit = |w: i64| -> i16 {
        // The digit of weight `w` sits at index `weight - w`.
        usize::try_from(weight - w)
            .ok()
            .and_then(|i| digits.get(i).copied())
            .unwrap_or(0)
    };
    let mut out = String::new();
    if sign == 0x4000 {
        out.push('-');
    }
    if weight < 0 {
        out.push('0');
    } else {
        for w in (0..=weight).rev() {
            if w == weight {
                out.push_str(&digit(w).to_string());
            } else {
                out.push_str(&format!("{:04}", digit(w)));
            }
        }
    }
    if dscale > 0 {
        let mut fraction = String::new();
        let mut w = -1;
        while fraction.len() < dscale {
            fraction.push_str(&format!("{:04}", digit(w)));
            w -= 1;
        }
        fraction.truncate(dscale);
        out.push('.');
        out.push_str(&fraction);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn numeric_bytes(weight: i16, dscale: u16, digits: &[i16]) -> Vec<u8> {
        let mut out = Vec::new();
        for word in [digits.len() as i16, weight, 0, dscale as i16]
            .iter()
            .chain(digits)
        {
            out.extend_from_slice(&word.to_be_bytes());
        }
        out
    }

    #[test]
    fn numerics_print_as_postgresql_prints_them() {
        assert_eq!(numeric(&numeric_bytes(0, 2, &[42, 5000])).unwrap(), "42.50");
        assert_eq!(numeric(&numeric_bytes(-1, 2, &[500])).unwrap(), "0.05");
        assert_eq!(numeric(&numeric_bytes(0, 0, &[1000])).unwrap(), "1000");
        assert_eq!(
            numeric(&numeric_bytes(1, 3, &[1, 2345, 6780])).unwrap(),
            "12345.678"
        );
    }

    fn array_bytes(element: u32, items: &[Option<&[u8]>]) -> Vec<u8> {
        let mut out = Vec::new();
        for word in [1i32, 0, element as i32, items.len() as i32, 1] {
            out.extend_from_slice(&word.to_be_bytes());
        }
        for item in items {
            match item {
                Some(bytes) => {
                    out.extend_from_slice(&(bytes.len() as i32).to_be_bytes());
                    out.extend_from_slice(bytes);
                }
                None => out.extend_from_slice(&(-1i32).to_be_bytes()),
            }
        }
        out
    }

    #[test]
    fn arrays_print_as_postgresql_array_literals() {
        let ints = array_bytes(
            INT8,
            &[Some(&7i64.to_be_bytes()), Some(&(-2i64).to_be_bytes())],
        );
        assert_eq!(array(&ints).unwrap(), "{7,-2}");
        let texts = array_bytes(TEXT, &[Some(b"order:1:2:3"), Some(b"a \"b\""), None]);
        assert_eq!(array(&texts).unwrap(), r#"{"order:1:2:3","a \"b\"",NULL}"#);
        let mut empty = Vec::new();
        for word in [0i32, 0, TEXT as i32] {
            empty.extend_from_slice(&word.to_be_bytes());
        }
        assert_eq!(array(&empty).unwrap(), "{}");
        assert!(array(&ints[..ints.len() - 3]).is_err(), "a cut-off array");
    }

    #[test]
    fn binary_values_print_as_text() {
        let value = |oid, bytes: &[u8]| Value {
            oid,
            binary: true,
            bytes: Some(bytes.to_vec()),
        };
        let text = |v: &Value| super::text(v).unwrap().unwrap();
        assert_eq!(text(&value(INT8, &42i64.to_be_bytes())), "42");
        assert_eq!(text(&value(BOOL, &[1])), "t");
        assert_eq!(text(&value(BYTEA, &[0xab, 0x01])), "\\xab01");
        assert_eq!(text(&value(JSONB, b"\x01{\"a\":1}")), "{\"a\":1}");
        let micros = 86_400_000_000i64 + 1;
        assert_eq!(
            text(&value(TIMESTAMPTZ, &micros.to_be_bytes())),
            "2000-01-02 00:00:00.000001+00"
        );
    }
}
