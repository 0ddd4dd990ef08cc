//! The templates and static files are embedded in the binary (`include_dir!`), which
//! does not tell cargo about them: rebuild when any of them changes.

fn main() {
    println!("cargo:rerun-if-changed=../../templates");
}
