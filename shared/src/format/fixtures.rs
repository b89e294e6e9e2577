//! What each kind of input becomes: text as typed → the [`super::outline`] of its parse. The
//! shared tests parse each one; the browser test sends each one as a message and reads the
//! same outline off the SPA's DOM. The XSS payloads stay text.

/// (input, outline) pairs.
pub const FIXTURES: &[(&str, &str)] = &[
    ("hello", "<p>hello</p>"),
    (
        "*em* and **strong**",
        "<p><em>em</em> and <strong>strong</strong></p>",
    ),
    ("_em_ and __strong__", "<p><em>em</em> and <strong>strong</strong></p>"),
    ("***both***", "<p><strong><em>both</em></strong></p>"),
    ("~~gone~~ ~kept~", "<p><del>gone</del> ~kept~</p>"),
    ("snake_case_name", "<p>snake_case_name</p>"),
    ("2 * 3 * 4", "<p>2 * 3 * 4</p>"),
    ("**unclosed and *half", "<p>**unclosed and *half</p>"),
    ("\\*not em\\*", "<p>*not em*</p>"),
    ("`a *b* <i>`", "<p><code>a *b* &lt;i&gt;</code></p>"),
    ("``a ` b``", "<p><code>a ` b</code></p>"),
    ("`unclosed", "<p>`unclosed</p>"),
    ("line one\nline two", "<p>line one<br>line two</p>"),
    ("para\n\nnext", "<p>para</p><p>next</p>"),
    (
        "```rust\nfn main() {\n    go();\n}\n```\nafter",
        "<pre><code>fn main() {\n    go();\n}</code></pre><p>after</p>",
    ),
    ("```\nno end", "<pre><code>no end</code></pre>"),
    ("```inline```", "<p><code>inline</code></p>"),
    (
        "> quoted *text*\nnot quoted",
        "<blockquote><p>quoted <em>text</em></p></blockquote><p>not quoted</p>",
    ),
    (
        "> > nested",
        "<blockquote><blockquote><p>nested</p></blockquote></blockquote>",
    ),
    (
        "Todo:\n- one\n  more\n- two",
        "<p>Todo:</p><ul><li>one<br>more</li><li>two</li></ul>",
    ),
    ("1. first\n2. second", "<ol><li>first</li><li>second</li></ol>"),
    ("3) c\n4) d", "<ol start=\"3\"><li>c</li><li>d</li></ol>"),
    (
        "see https://example.com/a?b=1.",
        "<p>see <a href=\"https://example.com/a?b=1\">https://example.com/a?b=1</a>.</p>",
    ),
    (
        "https://en.wikipedia.org/wiki/Rust_(programming_language)",
        "<p><a href=\"https://en.wikipedia.org/wiki/Rust_(programming_language)\">https://en.wikipedia.org/wiki/Rust_(programming_language)</a></p>",
    ),
    (
        "go to www.example.com now",
        "<p>go to <a href=\"https://www.example.com\">www.example.com</a> now</p>",
    ),
    ("a file.rs, not a link", "<p>a file.rs, not a link</p>"),
    (
        "mail bob@example.com",
        "<p>mail <a href=\"mailto:bob@example.com\">bob@example.com</a></p>",
    ),
    (
        "[the *docs*](https://docs.rs/)",
        "<p><a href=\"https://docs.rs/\">the <em>docs</em></a></p>",
    ),
    (
        "[example.com](https://example.com/)",
        "<p><a href=\"https://example.com/\">example.com</a></p>",
    ),
    (
        "[https://good.example](https://evil.example/x)",
        "<p><a href=\"https://evil.example/x\">https://good.example</a><small> (https://evil.example/x)</small></p>",
    ),
    ("# not a heading", "<p># not a heading</p>"),
    ("---", "<p>---</p>"),
    (
        "| a | b |\n|---|---|",
        "<p>| a | b |<br>|---|---|</p>",
    ),
    (
        "![alt](https://img.example/i.png)",
        "<p>![alt](<a href=\"https://img.example/i.png\">https://img.example/i.png</a>)</p>",
    ),
    ("&lt;b&gt; &amp;", "<p>&amp;lt;b&amp;gt; &amp;amp;</p>"),
    // The classic cross-site scripting payloads: text, never markup or a live link.
    (
        "<script>alert(1)</script>",
        "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>",
    ),
    (
        "<img src=x onerror=alert(1)>",
        "<p>&lt;img src=x onerror=alert(1)&gt;</p>",
    ),
    ("[click](javascript:alert(1))", "<p>[click](javascript:alert(1))</p>"),
    ("[click](JaVaScRiPt:alert(1))", "<p>[click](JaVaScRiPt:alert(1))</p>"),
    (
        "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
        "<p>[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)</p>",
    ),
    ("javascript:alert(1)", "<p>javascript:alert(1)</p>"),
    (
        "<a href=\"javascript:alert(1)\">x</a>",
        "<p>&lt;a href=\"javascript:alert(1)\"&gt;x&lt;/a&gt;</p>",
    ),
    (
        "<svg/onload=alert(1)>",
        "<p>&lt;svg/onload=alert(1)&gt;</p>",
    ),
];
