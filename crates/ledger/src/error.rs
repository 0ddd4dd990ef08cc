//! The one error type of the crate, worded for the shop owner who will read it.

use crate::{Currency, EntryKind, Points};

/// Everything the loyalty arithmetic can refuse.
///
/// Messages are full sentences meant for a partner's screen; the web layer decides the
/// status code, this crate only says what is wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LedgerError {
    /// A currency code that is not in the built-in ISO 4217 table.
    #[error(
        "“{code}” is not a currency we know: use a three-letter ISO 4217 code such as EUR or USD."
    )]
    UnknownCurrency {
        /// The code as given (shortened when absurdly long).
        code: String,
    },
    /// An amount field left empty.
    #[error("Enter an amount, such as 12.50.")]
    EmptyAmount,
    /// Text that is not a plain decimal amount.
    #[error(
        "“{shown}” is not an amount: write digits with an optional decimal point, such as 12.50."
    )]
    MalformedAmount {
        /// The text as given (shortened when absurdly long).
        shown: String,
    },
    /// More decimal places than this crate keeps.
    #[error("The {what} has more than {max} decimal places.")]
    TooManyDecimals {
        /// Which value ("amount", "unit amount", ...).
        what: &'static str,
        /// The largest number of decimal places accepted.
        max: u32,
    },
    /// A value beyond any real purchase.
    #[error("The {what} is too large.")]
    TooLarge {
        /// Which value.
        what: &'static str,
    },
    /// Money in this crate is never negative.
    #[error("The {what} cannot be negative.")]
    NegativeAmount {
        /// Which value.
        what: &'static str,
    },
    /// Two amounts, or an amount and a rule, in different currencies.
    #[error("This amount is in {found}, but it must be in {expected}.")]
    CurrencyMismatch {
        /// The currency the rule or the other amount uses.
        expected: Currency,
        /// The currency that was given.
        found: Currency,
    },
    /// Not one of `down`, `nearest`, `up`.
    #[error("“{text}” is not a rounding: use down, nearest or up.")]
    UnknownRounding {
        /// The text as given.
        text: String,
    },
    /// Not one of the channels.
    #[error("“{text}” is not a channel: use counter, woocommerce, api or system.")]
    UnknownChannel {
        /// The text as given.
        text: String,
    },
    /// Not one of the entry kinds.
    #[error("“{text}” is not a kind of entry.")]
    UnknownEntryKind {
        /// The text as given.
        text: String,
    },
    /// A card rule that cannot work.
    #[error("Invalid {field}: {problem}.")]
    InvalidRule {
        /// The rule's field, in words.
        field: &'static str,
        /// What is wrong with it.
        problem: &'static str,
    },
    /// A tier that cannot work.
    #[error("Invalid tier: {problem}.")]
    InvalidTier {
        /// What is wrong with it.
        problem: &'static str,
    },
    /// A result that does not fit in a points counter.
    #[error("The points would be too large to record.")]
    PointsOverflow,
    /// A balance below zero was handed in; the invariant is already broken.
    #[error("The wallet balance is {} points, below zero: it must be corrected before anything else is posted.", .balance.grouped())]
    NegativeBalance {
        /// The balance as found.
        balance: Points,
    },
    /// Points with the wrong sign for the kind of entry.
    #[error("A {} entry must {expected} points, but it was given {}.", .kind.label(), .points.grouped())]
    WrongSign {
        /// The kind of entry.
        kind: EntryKind,
        /// The points given.
        points: Points,
        /// "add" or "take away".
        expected: &'static str,
    },
    /// An adjustment of zero points.
    #[error("An adjustment of 0 points changes nothing: enter a positive or a negative number of points.")]
    ZeroAdjustment,
    /// A redemption larger than the balance.
    #[error("The wallet has {} points, fewer than the {} points requested.", .balance.grouped(), .requested.grouped())]
    InsufficientPoints {
        /// The balance.
        balance: Points,
        /// The points asked for (positive).
        requested: Points,
    },
    /// A manual adjustment that would take the balance below zero.
    #[error("Cannot take away {} points: the wallet only has {}, and a manual adjustment may not take the balance below zero.", .requested.grouped(), .balance.grouped())]
    AdjustmentExceedsBalance {
        /// The balance.
        balance: Points,
        /// The points asked to take away (positive).
        requested: Points,
    },
    /// A points input that must not be negative.
    #[error("The {what} cannot be negative (got {}).", .points.grouped())]
    NegativePoints {
        /// Which input, in words.
        what: &'static str,
        /// The value given.
        points: Points,
    },
}

/// Shortens user input quoted back in a message, so an absurd paste cannot flood a page.
pub(crate) fn shown(text: &str) -> String {
    const MAX_CHARS: usize = 24;
    if text.chars().count() <= MAX_CHARS {
        text.to_owned()
    } else {
        let mut short: String = text.chars().take(MAX_CHARS).collect();
        short.push('…');
        short
    }
}
