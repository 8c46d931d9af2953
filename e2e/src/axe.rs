//! axe-core, Deque's accessibility rules, run in the page against one widget. The script is
//! the npm package's `axe.min.js` (`cargo xtask test` installs a pinned version and names it
//! in `COLLOQUY_AXE`); it is injected into the host page as a `<script>` and asked about
//! the widget's host element, whose shadow tree axe reads as part of it.

use std::fmt::Write as _;
use std::path::PathBuf;

use serde_json::{json, Value};

use crate::stage::js_string;
use crate::webdriver::Browser;

/// The WCAG 2.0 and 2.1 success criteria at levels A and AA, as axe tags its rules.
pub const WCAG_AA: [&str; 4] = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"];

/// `axe.min.js`, read once per journey.
pub struct Axe {
    source: String,
}

/// What axe found in one state of the widget.
#[derive(Debug)]
pub struct Report {
    /// The state's name, for the printed summary and the failure.
    pub state: String,
    /// Rules that found nothing wrong on at least one node.
    pub rules_passed: usize,
    /// Distinct nodes that a rule passed, failed or could not decide.
    pub nodes_checked: usize,
    /// Of those, the nodes inside a shadow root (axe names them by a path through it).
    pub nodes_in_shadow: usize,
    pub inapplicable: usize,
    /// Rules axe could not decide (a colour over an image, say), with their nodes.
    pub incomplete: Vec<Value>,
    pub violations: Vec<Value>,
}

impl Axe {
    /// The script `COLLOQUY_AXE` names.
    pub fn load() -> Axe {
        let path = std::env::var_os("COLLOQUY_AXE")
            .map(PathBuf::from)
            .expect("COLLOQUY_AXE is not set: run the journeys with `cargo xtask test`");
        let source = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("cannot read axe-core at {path:?}: {e}"));
        Axe { source }
    }

    /// Runs the WCAG 2.1 A and AA rules on the widget whose host element `host` names, in
    /// the page `browser` shows now (injecting axe first if the page has none), and prints
    /// a line about it.
    pub fn audit(&self, browser: &Browser, host: &str, state: &str) -> Report {
        let present = browser.execute("return typeof window.axe === 'object';", json!([]));
        if present != true {
            let injected = browser.execute(
                "const script = document.createElement('script');
                 script.textContent = arguments[0];
                 document.head.appendChild(script);
                 return typeof window.axe === 'object' && window.axe.version;",
                json!([self.source]),
            );
            assert!(
                injected.is_string(),
                "axe-core did not load into the page ({injected})"
            );
        }
        let script = format!(
            "const done = arguments[arguments.length - 1];
             const host = document.querySelector({host});
             if (!host) return done({{ error: 'no element ' + {host} }});
             const path = (target) => target.map((part) =>
               Array.isArray(part) ? part.join(' >>> ') : part).join(' | ');
             const inShadow = (target) => target.some((part) => Array.isArray(part) && part.length > 1);
             window.axe.run(host, {{ runOnly: {{ type: 'tag', values: {tags} }} }}).then((result) => {{
               const nodes = new Map();
               for (const group of [result.passes, result.violations, result.incomplete]) {{
                 for (const rule of group) {{
                   for (const node of rule.nodes) nodes.set(path(node.target), inShadow(node.target));
                 }}
               }}
               const described = (rule) => ({{
                 id: rule.id, impact: rule.impact, help: rule.help, helpUrl: rule.helpUrl,
                 nodes: rule.nodes.map((node) => ({{
                   target: path(node.target), html: node.html, summary: node.failureSummary || '' }})),
               }});
               done({{
                 passes: result.passes.length,
                 inapplicable: result.inapplicable.length,
                 nodes: nodes.size,
                 shadow: [...nodes.values()].filter(Boolean).length,
                 violations: result.violations.map(described),
                 incomplete: result.incomplete.map(described),
               }});
             }}, (error) => done({{ error: String(error && error.stack || error) }}));",
            host = js_string(host),
            tags = json!(WCAG_AA),
        );
        let result = browser.execute_async_with(&script, json!([]));
        if let Some(error) = result.get("error") {
            panic!("axe could not run on {host} ({state}): {error}");
        }
        let count = |key: &str| result[key].as_u64().unwrap_or(0) as usize;
        let list = |key: &str| result[key].as_array().cloned().unwrap_or_default();
        let report = Report {
            state: state.to_owned(),
            rules_passed: count("passes"),
            nodes_checked: count("nodes"),
            nodes_in_shadow: count("shadow"),
            inapplicable: count("inapplicable"),
            incomplete: list("incomplete"),
            violations: list("violations"),
        };
        println!("{}", report.summary());
        report
    }
}

impl Report {
    /// One line per state: what was checked and what was found.
    pub fn summary(&self) -> String {
        let ids = |rules: &[Value]| {
            rules
                .iter()
                .map(|rule| {
                    format!(
                        "{} ({} nodes)",
                        rule["id"].as_str().unwrap_or("?"),
                        rule["nodes"].as_array().map_or(0, Vec::len)
                    )
                })
                .collect::<Vec<_>>()
                .join(", ")
        };
        let mut line = format!(
            "axe, {}: {} rules passed, {} nodes checked ({} inside the shadow root), {} rules not applicable, {} violations",
            self.state,
            self.rules_passed,
            self.nodes_checked,
            self.nodes_in_shadow,
            self.inapplicable,
            self.violations.len(),
        );
        if !self.violations.is_empty() {
            line.push_str(&format!(": {}", ids(&self.violations)));
        }
        if !self.incomplete.is_empty() {
            line.push_str(&format!("; left for review: {}", ids(&self.incomplete)));
        }
        line
    }

    /// Every violation: its rule, what it asks, and each node with why it fails.
    pub fn violations_in_full(&self) -> String {
        let mut text = String::new();
        for rule in &self.violations {
            let _ = writeln!(
                text,
                "- {} ({}): {} <{}>",
                rule["id"].as_str().unwrap_or("?"),
                rule["impact"].as_str().unwrap_or("?"),
                rule["help"].as_str().unwrap_or("?"),
                rule["helpUrl"].as_str().unwrap_or("?"),
            );
            for node in rule["nodes"].as_array().into_iter().flatten() {
                let summary = node["summary"].as_str().unwrap_or("").replace('\n', " / ");
                let _ = writeln!(
                    text,
                    "    {}\n      {}\n      {}",
                    node["target"].as_str().unwrap_or("?"),
                    node["html"].as_str().unwrap_or(""),
                    summary
                );
            }
        }
        text
    }

    /// Panics unless axe looked inside the widget and found nothing against WCAG 2.1 AA.
    pub fn assert_clean(&self) {
        assert!(
            self.nodes_in_shadow > 0 && self.rules_passed > 0,
            "axe did not look inside the widget ({}): {}",
            self.state,
            self.summary()
        );
        assert!(
            self.violations.is_empty(),
            "axe found {} WCAG 2.1 A/AA violations in the widget ({}):\n{}",
            self.violations.len(),
            self.state,
            self.violations_in_full()
        );
    }
}
