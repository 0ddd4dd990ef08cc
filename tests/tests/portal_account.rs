//! Member account pages end to end.
