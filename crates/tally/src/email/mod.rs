pub mod format;
pub mod message;
pub mod render;
