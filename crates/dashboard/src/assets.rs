//! The page's files, built into the binary: no network is needed to show it.

/// The page; `<!--INITIAL-->` is replaced by the state the page starts from.
pub const INDEX_HTML: &str = include_str!("../assets/index.html");
/// The page's script.
pub const APP_JS: &str = include_str!("../assets/app.js");
/// The page's style sheet.
pub const STYLE_CSS: &str = include_str!("../assets/style.css");

/// The placeholder of the initial state in [`INDEX_HTML`].
pub const INITIAL_PLACEHOLDER: &str = "<!--INITIAL-->";

/// JSON made safe to sit inside a `<script>` element.
pub fn script_safe(json: &str) -> String {
    json.replace('<', "\\u003c").replace('>', "\\u003e").replace('&', "\\u0026")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_page_has_its_placeholder_controls_and_no_external_asset() {
        assert_eq!(INDEX_HTML.matches(INITIAL_PLACEHOLDER).count(), 1);
        for control in
            ["id=\"chain-filter\"", "id=\"collapse-all\"", "id=\"lookup\"", "id=\"lanes\"", "id=\"messages\""]
        {
            assert!(INDEX_HTML.contains(control), "the page lacks {control}");
        }
        for text in [INDEX_HTML, APP_JS, STYLE_CSS] {
            assert!(!text.contains("http://") && !text.contains("https://"), "an external reference");
        }
    }

    #[test]
    fn json_in_a_script_element_cannot_close_it() {
        let safe = script_safe(r#"{"a":"</script><b>&"}"#);
        assert!(!safe.contains('<') && !safe.contains('>') && !safe.contains('&'));
        let back: serde_json::Value = serde_json::from_str(&safe).unwrap();
        assert_eq!(back["a"], "</script><b>&");
    }
}
