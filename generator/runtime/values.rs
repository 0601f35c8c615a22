//! Edm values that are text on the wire: dates, times, durations, GUIDs and binary data.
//!
//! Each type keeps the exact text the service sent (Graph writes 0 to 7 fractional digits, and a
//! value read and written back must not change), and converts to and from the well-kept crates'
//! types on demand: [`time`] for dates, times and durations, [`uuid`] for GUIDs. A text that does
//! not parse is kept as it is; only the conversion reports it.

use std::fmt;

use serde::{Deserialize, Serialize};

macro_rules! wire_text {
    ($(#[$doc:meta])* $name:ident, $literal:expr) => {
        $(#[$doc])*
        #[derive(Clone, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            /// The text as the service wrote it.
            pub fn as_str(&self) -> &str {
                &self.0
            }

            /// The text, owned.
            pub fn into_string(self) -> String {
                self.0
            }
        }

        impl From<String> for $name {
            fn from(text: String) -> Self {
                $name(text)
            }
        }

        impl From<&str> for $name {
            fn from(text: &str) -> Self {
                $name(text.to_string())
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl crate::path::ODataLiteral for $name {
            fn to_odata_literal(&self) -> String {
                let literal: fn(&str) -> String = $literal;
                literal(&self.0)
            }
        }
    };
}

/// `text` bare when it is made of the characters a value of its type is written with (`type`
/// accepts them), else as a quoted string literal: text that is not a value of the type can
/// then not change the URL or `$filter` expression around it (the service refuses a string
/// where it expects the type).
pub(crate) fn bare_or_quoted(text: &str, type_character: fn(char) -> bool) -> String {
    if !text.is_empty() && text.chars().all(type_character) {
        text.to_string()
    } else {
        crate::path::ODataLiteral::to_odata_literal(text)
    }
}

/// A character of a date, time or date-time: digits, `-`, `:`, `.`, `T`, `Z`, `+`.
fn temporal_character(c: char) -> bool {
    c.is_ascii_digit() || matches!(c, '-' | ':' | '.' | 'T' | 'Z' | '+')
}

wire_text!(
    /// An `Edm.DateTimeOffset`, such as `2024-05-01T08:30:00.1234567Z`.
    DateTimeOffset,
    |text| bare_or_quoted(text, temporal_character)
);
wire_text!(
    /// An `Edm.Date`, such as `2024-05-01`.
    Date,
    |text| bare_or_quoted(text, temporal_character)
);
wire_text!(
    /// An `Edm.TimeOfDay`, such as `08:30:00.0000000`.
    TimeOfDay,
    |text| bare_or_quoted(text, temporal_character)
);
wire_text!(
    /// An `Edm.Duration` in ISO 8601 form, such as `P1DT2H` or `-PT0.5S`.
    Duration,
    |text| format!("duration{}", crate::path::ODataLiteral::to_odata_literal(text))
);
wire_text!(
    /// An `Edm.Guid`, such as `4df81c9c-1c9c-4df8-9c1c-f84d9c1cf84d`.
    Guid,
    |text| bare_or_quoted(text, |c| c.is_ascii_hexdigit() || c == '-')
);
wire_text!(
    /// An `Edm.Binary`: base64 (or base64url) text.
    Binary,
    |text| format!("binary{}", crate::path::ODataLiteral::to_odata_literal(text))
);

impl DateTimeOffset {
    /// The value as a [`time::OffsetDateTime`] (RFC 3339).
    ///
    /// # Errors
    ///
    /// When the text is not an RFC 3339 date and time.
    pub fn to_offset_date_time(&self) -> Result<time::OffsetDateTime, time::error::Parse> {
        time::OffsetDateTime::parse(&self.0, &time::format_description::well_known::Rfc3339)
    }
}

impl From<time::OffsetDateTime> for DateTimeOffset {
    fn from(value: time::OffsetDateTime) -> Self {
        let text = value
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_else(|_| value.to_string());
        DateTimeOffset(text)
    }
}

impl Date {
    /// The value as a [`time::Date`] (`YYYY-MM-DD`).
    ///
    /// # Errors
    ///
    /// When the text is not a calendar date.
    pub fn to_date(&self) -> Result<time::Date, time::error::Parse> {
        time::Date::parse(
            &self.0,
            &time::format_description::well_known::Iso8601::DATE,
        )
    }
}

impl From<time::Date> for Date {
    fn from(value: time::Date) -> Self {
        Date(format!(
            "{:04}-{:02}-{:02}",
            value.year(),
            u8::from(value.month()),
            value.day()
        ))
    }
}

impl TimeOfDay {
    /// The value as a [`time::Time`] (`HH:MM[:SS[.fraction]]`).
    ///
    /// # Errors
    ///
    /// When the text is not a time of day.
    pub fn to_time(&self) -> Result<time::Time, time::error::Parse> {
        time::Time::parse(
            &self.0,
            &time::format_description::well_known::Iso8601::TIME,
        )
    }
}

impl From<time::Time> for TimeOfDay {
    fn from(value: time::Time) -> Self {
        TimeOfDay(format!(
            "{:02}:{:02}:{:02}.{:07}",
            value.hour(),
            value.minute(),
            value.second(),
            value.nanosecond() / 100
        ))
    }
}

/// An `Edm.Duration` whose text is not an ISO 8601 duration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidDuration(String);

impl fmt::Display for InvalidDuration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "`{}` is not an ISO 8601 duration such as `P1DT2H30M`",
            self.0
        )
    }
}

impl std::error::Error for InvalidDuration {}

impl Duration {
    /// The value as a [`time::Duration`]: days, hours, minutes and (fractional) seconds, with an
    /// optional leading `-`. Years and months have no fixed length and are refused.
    ///
    /// # Errors
    ///
    /// [`InvalidDuration`] when the text is not such a duration.
    pub fn to_duration(&self) -> Result<time::Duration, InvalidDuration> {
        let invalid = || InvalidDuration(self.0.clone());
        let (negative, rest) = match self.0.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, self.0.as_str()),
        };
        let rest = rest.strip_prefix('P').ok_or_else(invalid)?;
        let (days, time) = match rest.split_once('T') {
            Some((days, time)) => (days, Some(time)),
            None => (rest, None),
        };
        let mut nanos: i128 = 0;
        let mut seen = false;
        let mut take = |part: &str, units: &[(char, i128)]| -> Result<(), InvalidDuration> {
            let mut number = String::new();
            let mut next_unit = 0;
            for c in part.chars() {
                if c.is_ascii_digit() || c == '.' {
                    number.push(c);
                    continue;
                }
                let position = units[next_unit..]
                    .iter()
                    .position(|(unit, _)| *unit == c)
                    .ok_or_else(invalid)?;
                let (_, scale) = units[next_unit + position];
                next_unit += position + 1;
                let value: f64 = number.parse().map_err(|_| invalid())?;
                if number.contains('.') && c != 'S' {
                    return Err(invalid());
                }
                nanos += (value * scale as f64).round() as i128;
                number.clear();
                seen = true;
            }
            if number.is_empty() {
                Ok(())
            } else {
                Err(invalid())
            }
        };
        take(days, &[('D', 86_400_000_000_000)])?;
        if let Some(time) = time {
            if time.is_empty() {
                return Err(invalid());
            }
            take(
                time,
                &[
                    ('H', 3_600_000_000_000),
                    ('M', 60_000_000_000),
                    ('S', 1_000_000_000),
                ],
            )?;
        }
        if !seen {
            return Err(invalid());
        }
        let nanos = if negative { -nanos } else { nanos };
        let seconds = i64::try_from(nanos / 1_000_000_000).map_err(|_| invalid())?;
        Ok(time::Duration::new(seconds, (nanos % 1_000_000_000) as i32))
    }
}

impl From<time::Duration> for Duration {
    fn from(value: time::Duration) -> Self {
        let sign = if value.is_negative() { "-" } else { "" };
        let value = value.abs();
        let seconds = value.whole_seconds();
        let nanos = value.subsec_nanoseconds();
        let (days, rest) = (seconds / 86_400, seconds % 86_400);
        let (hours, rest) = (rest / 3_600, rest % 3_600);
        let (minutes, seconds) = (rest / 60, rest % 60);
        let mut text = format!("{sign}P");
        if days > 0 {
            text.push_str(&format!("{days}D"));
        }
        text.push('T');
        if hours > 0 {
            text.push_str(&format!("{hours}H"));
        }
        if minutes > 0 {
            text.push_str(&format!("{minutes}M"));
        }
        if nanos > 0 {
            let fraction = format!("{nanos:09}");
            text.push_str(&format!("{seconds}.{}S", fraction.trim_end_matches('0')));
        } else {
            text.push_str(&format!("{seconds}S"));
        }
        Duration(text)
    }
}

impl Guid {
    /// The value as a [`uuid::Uuid`].
    ///
    /// # Errors
    ///
    /// When the text is not a GUID.
    pub fn to_uuid(&self) -> Result<uuid::Uuid, uuid::Error> {
        uuid::Uuid::parse_str(&self.0)
    }
}

impl From<uuid::Uuid> for Guid {
    fn from(value: uuid::Uuid) -> Self {
        Guid(value.hyphenated().to_string())
    }
}

impl Binary {
    /// The bytes (standard or URL-safe base64, with or without padding); `None` when the text is
    /// not base64.
    pub fn to_bytes(&self) -> Option<Vec<u8>> {
        crate::batch::base64::decode(&self.0)
    }
}

impl From<&[u8]> for Binary {
    fn from(bytes: &[u8]) -> Self {
        Binary(crate::batch::base64::encode(bytes))
    }
}

#[cfg(all(test, msgraph_runtime))]
mod tests {
    use super::*;

    #[test]
    fn values_keep_their_text_and_convert() {
        let instant: DateTimeOffset =
            serde_json::from_str(r#""2024-05-01T08:30:00.1234567Z""#).unwrap();
        assert_eq!(
            serde_json::to_string(&instant).unwrap(),
            r#""2024-05-01T08:30:00.1234567Z""#
        );
        let parsed = instant.to_offset_date_time().unwrap();
        assert_eq!((parsed.hour(), parsed.nanosecond()), (8, 123_456_700));
        assert_eq!(
            DateTimeOffset::from(parsed.replace_nanosecond(0).unwrap()).as_str(),
            "2024-05-01T08:30:00Z"
        );
        assert!(
            DateTimeOffset::from("yesterday")
                .to_offset_date_time()
                .is_err()
        );

        let date = Date::from("2024-02-29");
        assert_eq!(Date::from(date.to_date().unwrap()), date);
        let time = TimeOfDay::from("08:30:15.5000000");
        assert_eq!(TimeOfDay::from(time.to_time().unwrap()), time);

        let guid = Guid::from("4df81c9c-1c9c-4df8-9c1c-f84d9c1cf84d");
        assert_eq!(Guid::from(guid.to_uuid().unwrap()), guid);
        assert!(Guid::from("nope").to_uuid().is_err());

        assert_eq!(Binary::from(&b"hello"[..]).as_str(), "aGVsbG8=");
        assert_eq!(
            Binary::from("aGVsbG8").to_bytes().as_deref(),
            Some(&b"hello"[..])
        );
    }

    #[test]
    fn durations_in_iso_8601() {
        let cases = [
            ("P1DT2H", 93_600, 0),
            ("PT30M", 1_800, 0),
            ("-PT0.5S", 0, -500_000_000),
            ("PT1H2M3.25S", 3_723, 250_000_000),
            ("P0D", 0, 0),
        ];
        for (text, seconds, nanos) in cases {
            let duration = Duration::from(text).to_duration().unwrap();
            assert_eq!(
                (duration.whole_seconds(), duration.subsec_nanoseconds()),
                (seconds, nanos),
                "{text}"
            );
        }
        for bad in ["", "P", "PT", "1D", "P1Y", "PT1.5H", "P1DT", "PT5", "P-1D"] {
            assert!(Duration::from(bad).to_duration().is_err(), "{bad:?}");
        }
        assert_eq!(
            Duration::from(time::Duration::seconds(93_600)).as_str(),
            "P1DT2H0S"
        );
        assert_eq!(
            Duration::from(time::Duration::milliseconds(-500)).as_str(),
            "-PT0.5S"
        );
        let round: Duration = Duration::from(time::Duration::new(3_723, 250_000_000));
        assert_eq!(
            round.to_duration().unwrap(),
            time::Duration::new(3_723, 250_000_000)
        );
    }

    #[test]
    fn literals_in_function_calls() {
        use crate::path::ODataLiteral;
        assert_eq!(Duration::from("P1D").to_odata_literal(), "duration'P1D'");
        // Text that is not a value of its type cannot break out of the literal.
        assert_eq!(
            DateTimeOffset::from("2024-05-01 or id ne null").to_odata_literal(),
            "'2024-05-01 or id ne null'"
        );
        assert_eq!(
            Guid::from("x') or ('1").to_odata_literal(),
            "'x'') or (''1'"
        );
        assert_eq!(
            Duration::from("P1D' or '").to_odata_literal(),
            "duration'P1D'' or '''"
        );
        assert_eq!(Date::from("2024-05-01").to_odata_literal(), "2024-05-01");
        assert_eq!(Binary::from("AAE=").to_odata_literal(), "binary'AAE='");
    }
}
