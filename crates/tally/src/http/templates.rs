//! Templates and static files, embedded in the binary so it runs from any folder.

use include_dir::{include_dir, Dir};

pub static TEMPLATE_DIR: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/../../templates");

/// The tera templates (`templates/**/*.html`).
#[derive(Debug)]
pub struct Templates {
    tera: tera::Tera,
}

impl Templates {
    pub fn load() -> Result<Templates, tera::Error> {
        let mut tera = tera::Tera::default();
        let mut files = Vec::new();
        collect(&TEMPLATE_DIR, &mut files);
        tera.add_raw_templates(files)?;
        Ok(Templates { tera })
    }

    pub fn render(&self, name: &str, context: &tera::Context) -> Result<String, tera::Error> {
        self.tera.render(name, context)
    }
}

fn collect(dir: &'static Dir<'static>, out: &mut Vec<(String, &'static str)>) {
    for file in dir.files() {
        let path = file.path().to_string_lossy().to_string();
        // Pages only: email templates have their own renderer (and need inline styles).
        if path.ends_with(".html") && !path.starts_with("static/") && !path.starts_with("email/") {
            if let Some(text) = file.contents_utf8() {
                out.push((path, text));
            }
        }
    }
    for sub in dir.dirs() {
        collect(sub, out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_embedded_template_parses() {
        let templates = Templates::load().unwrap();
        assert!(templates
            .tera
            .get_template_names()
            .any(|n| n == "home.html"));
    }

    #[test]
    fn no_template_carries_an_inline_script_or_style() {
        let mut files = Vec::new();
        collect(&TEMPLATE_DIR, &mut files);
        for (name, text) in files {
            let lower = text.to_lowercase();
            assert!(
                !lower.contains("<script>") && !lower.contains("<script type"),
                "{name} has an inline script"
            );
            assert!(
                !lower.contains(" onclick=") && !lower.contains(" onload="),
                "{name} has an inline handler"
            );
            assert!(
                !lower.contains("<style") && !lower.contains(" style=\""),
                "{name} has an inline style"
            );
        }
    }
}
