//! Paging of API lists (SPEC §8): `limit` (default 50, at most 200) and a `before`
//! cursor (the `next` of the previous page), newest first.

/// What a list request asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Page {
    pub limit: i64,
    pub before: Option<i64>,
}

/// A field of the query that could not be read, with what it should be.
pub type Problem = (&'static str, &'static str);

const DEFAULT_LIMIT: i64 = 50;
const MAX_LIMIT: i64 = 200;

/// Reads `limit` and `before` (empty counts as absent); the problems name each bad one.
pub fn parse(limit: Option<&str>, before: Option<&str>) -> Result<Page, Vec<Problem>> {
    let mut problems = Vec::new();
    let limit = match limit.filter(|l| !l.is_empty()) {
        None => DEFAULT_LIMIT,
        Some(l) => l
            .parse::<i64>()
            .ok()
            .filter(|n| (1..=MAX_LIMIT).contains(n))
            .unwrap_or_else(|| {
                problems.push(("limit", "A whole number from 1 to 200 (default 50)."));
                DEFAULT_LIMIT
            }),
    };
    let before = match before.filter(|b| !b.is_empty()) {
        None => None,
        Some(b) => b.parse::<i64>().ok().filter(|n| *n > 0).or_else(|| {
            problems.push(("before", "The `next` cursor of a previous page."));
            None
        }),
    };
    if problems.is_empty() {
        Ok(Page { limit, before })
    } else {
        Err(problems)
    }
}

impl Page {
    /// How many rows to read: one more than the page, to know whether another follows.
    pub fn fetch(&self) -> i64 {
        self.limit + 1
    }

    /// Cuts `rows` (read with [`Page::fetch`]) to the page; the `next` cursor, when more
    /// follow, is the id of the page's last row.
    pub fn finish<T>(&self, rows: &mut Vec<T>, id: impl Fn(&T) -> i64) -> Option<String> {
        let more = rows.len() as i64 > self.limit;
        rows.truncate(usize::try_from(self.limit).unwrap_or(0));
        more.then(|| rows.last().map(|r| id(r).to_string()))
            .flatten()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_bounds_and_cursors() {
        assert_eq!(
            parse(None, None),
            Ok(Page {
                limit: 50,
                before: None
            })
        );
        assert_eq!(
            parse(Some(""), Some("")),
            Ok(Page {
                limit: 50,
                before: None
            })
        );
        assert_eq!(
            parse(Some("200"), Some("17")),
            Ok(Page {
                limit: 200,
                before: Some(17)
            })
        );
        assert_eq!(parse(Some("1"), None).map(|p| p.limit), Ok(1));
        for bad in ["0", "201", "-1", "ten", "1.5"] {
            assert_eq!(parse(Some(bad), None).unwrap_err()[0].0, "limit", "{bad}");
        }
        for bad in ["x", "-3", "0"] {
            assert_eq!(parse(None, Some(bad)).unwrap_err()[0].0, "before", "{bad}");
        }
        assert_eq!(parse(Some("0"), Some("x")).unwrap_err().len(), 2);
    }

    #[test]
    fn a_page_keeps_its_limit_and_says_whether_more_follow() {
        let page = Page {
            limit: 2,
            before: None,
        };
        assert_eq!(page.fetch(), 3);
        let mut rows = vec![9, 8, 7];
        assert_eq!(page.finish(&mut rows, |r| *r), Some("8".to_owned()));
        assert_eq!(rows, vec![9, 8]);
        let mut rows = vec![9, 8];
        assert_eq!(page.finish(&mut rows, |r| *r), None);
        let mut rows: Vec<i64> = vec![];
        assert_eq!(page.finish(&mut rows, |r| *r), None);
    }
}
