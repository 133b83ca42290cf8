//! Escaping of untrusted text (AS names, file names, link names) for HTML and SVG (CSV
//! goes through trombone-output's writer).

/// Escapes text for HTML element content and quoted attribute values (also valid in SVG).
///
/// Control characters other than tab/newline are replaced by U+FFFD so a hostile
/// name cannot produce invalid XML in the inline SVG.
pub fn html(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\t' | '\n' => out.push(c),
            c if c.is_control() => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

/// Truncates to at most `max` characters, marking the cut with an ellipsis.
pub fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let mut t: String = s.chars().take(max.saturating_sub(1)).collect();
    t.push('…');
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_escapes_markup_and_quotes() {
        assert_eq!(
            html(r#"<script>alert("x")</script> & 'y'"#),
            "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;y&#39;"
        );
    }

    #[test]
    fn html_keeps_unicode_and_replaces_controls() {
        assert_eq!(html("Mékông\u{0}\u{1b}x"), "Mékông\u{FFFD}\u{FFFD}x");
        assert_eq!(html("a\tb\nc"), "a\tb\nc");
    }

    #[test]
    fn truncate_counts_characters() {
        assert_eq!(truncate("abcdef", 6), "abcdef");
        assert_eq!(truncate("abcdefg", 6), "abcde…");
        assert_eq!(truncate("ខ្មែរខ្មែរ", 3), "ខ្…");
    }
}
