//! Input files written the way each system writes them, for the tests, the bench and the
//! journeys: a WordPress 6 export ([`wordpress_wxr`]), a Disqus export
//! ([`disqus_export`]), an Isso database ([`isso_database`]), and a large generated WXR
//! made in chunks ([`generated_wordpress`]).
//!
//! [`example_posts`] is the content the import issue asks for: replies three deep, HTML
//! entities, smilies, links, a pending, a spam and a trashed comment, a pingback,
//! non-ASCII names and a `<script>`; [`example_isso_posts`] the same kind of thing as Isso
//! users write it (markdown).

use std::io::{self, BufRead, BufReader, Read, Write};
use std::path::Path;

use sqlx::sqlite::{SqliteConnectOptions, SqlitePoolOptions};

/// A post, page or attachment with its comments.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SamplePost {
    /// WordPress's post id (`?p=N`); Disqus's thread id.
    pub id: u64,
    /// The permalink's path and query, `/2024/03/01/hello-world/` or `/?p=12`.
    pub path: String,
    pub title: String,
    /// `post`, `page`, `attachment`…
    pub post_type: String,
    /// `wp:post_name`.
    pub slug: String,
    pub published_ms: i64,
    pub comments: Vec<SampleComment>,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct SampleComment {
    pub id: u64,
    pub parent: Option<u64>,
    pub author: String,
    pub email: String,
    pub website: String,
    pub created_at_ms: i64,
    /// The body as the source stores it: for WordPress the HTML its comment form saved
    /// (bare newlines), for Disqus the same made into its paragraphs, for Isso markdown.
    pub text: String,
    pub status: SampleStatus,
    pub kind: SampleKind,
    /// WordPress before 2.x left `wp:comment_date_gmt` at `0000-00-00 00:00:00`.
    pub zero_gmt_date: bool,
    /// Isso's likes (the other systems have none).
    pub likes: u32,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum SampleStatus {
    #[default]
    Approved,
    Pending,
    Spam,
    /// WordPress's trash, Disqus's and Isso's deleted.
    Deleted,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum SampleKind {
    #[default]
    Comment,
    Pingback,
    Trackback,
}

pub const SITE: &str = "https://example.org";

/// The smiley as WordPress 6 writes it.
pub const SMILEY: &str = "<img src=\"https://example.org/wp-includes/images/smilies/simple-smile.png\" alt=\":)\" class=\"wp-smiley\" style=\"height: 1em; max-height: 1em;\" />";

/// 2024-03-01T12:00:00Z.
const MARCH_2024: i64 = 1_709_294_400_000;
const MINUTE: i64 = 60_000;

/// The example content (HTML bodies, as WordPress stores them). Post 1 holds the cases;
/// ids are unique across posts.
pub fn example_posts() -> Vec<SamplePost> {
    let comment = |id: u64, parent: Option<u64>, author: &str, text: &str| SampleComment {
        id,
        parent,
        author: author.to_string(),
        created_at_ms: MARCH_2024 + id as i64 * 7 * MINUTE,
        text: text.to_string(),
        ..SampleComment::default()
    };
    vec![
        SamplePost {
            id: 1,
            path: "/2024/03/01/hello-world/".into(),
            title: "Hello world!".into(),
            post_type: "post".into(),
            slug: "hello-world".into(),
            published_ms: MARCH_2024,
            comments: vec![
                SampleComment {
                    email: "wapuu@wordpress.example".into(),
                    website: "https://wordpress.org/".into(),
                    ..comment(
                        1,
                        None,
                        "A WordPress Commenter",
                        "Hi, this is a comment.\nTo get started with moderating, editing, and deleting comments, please visit the Comments screen in the dashboard.\nCommenter avatars come from <a href=\"https://en.gravatar.com/\">Gravatar</a>.",
                    )
                },
                SampleComment {
                    email: "zoe@example.org".into(),
                    ..comment(
                        2,
                        Some(1),
                        "Zoë Ångström",
                        &format!("Thanks! I&#8217;m glad it works &amp; looks fine&hellip;\n\nA second paragraph {SMILEY}"),
                    )
                },
                SampleComment {
                    email: "jose@example.net".into(),
                    website: "https://jose.example.net".into(),
                    ..comment(
                        3,
                        Some(2),
                        "José Müller",
                        "See <a href=\"https://example.com/docs?a=1&amp;b=2\" rel=\"nofollow ugc\">the <em>docs</em></a> for more.",
                    )
                },
                SampleComment {
                    email: "pat@example.org".into(),
                    status: SampleStatus::Pending,
                    ..comment(4, None, "Pending Pat", "Waiting for a moderator.")
                },
                SampleComment {
                    email: "pills@spam.example".into(),
                    website: "https://spam.example/pills".into(),
                    status: SampleStatus::Spam,
                    ..comment(
                        5,
                        None,
                        "Cheap Pills",
                        "Buy <a href=\"https://spam.example/pills\" rel=\"nofollow ugc\">cheap pills</a>!!!",
                    )
                },
                SampleComment {
                    website: "https://blog.example.net/2024/03/02/about-hello/".into(),
                    kind: SampleKind::Pingback,
                    ..comment(
                        6,
                        None,
                        "Another Blog &raquo; About hello",
                        "[&#8230;] as seen in Hello world! [&#8230;]",
                    )
                },
                SampleComment {
                    email: "mallory@example.com".into(),
                    ..comment(
                        7,
                        None,
                        "Mallory",
                        "Nice post <script>alert(\"gotcha\")</script> really.",
                    )
                },
                SampleComment {
                    status: SampleStatus::Deleted,
                    ..comment(8, None, "Trash Talker", "Something regrettable.")
                },
                comment(9, Some(6), "山田太郎", "日本語のコメントです。\n二行目。"),
                SampleComment {
                    zero_gmt_date: true,
                    ..comment(10, Some(3), "Old Timer", "Replying *way* back_then.")
                },
            ],
        },
        SamplePost {
            id: 2,
            path: "/about/".into(),
            title: "About".into(),
            post_type: "page".into(),
            slug: "about".into(),
            published_ms: MARCH_2024 - 86_400_000,
            comments: vec![],
        },
        SamplePost {
            id: 12,
            path: "/?p=12".into(),
            title: "Plain permalinks & more".into(),
            post_type: "post".into(),
            slug: "plain-permalinks".into(),
            published_ms: MARCH_2024 + 86_400_000,
            comments: vec![
                comment(
                    20,
                    None,
                    "Linus",
                    "Look: https://example.com/photo.jpg, and <img src=\"https://example.com/cat.png\" alt=\"A cat\" />",
                ),
                comment(
                    21,
                    Some(20),
                    "Quoter",
                    "<blockquote>Quoted text\nline two</blockquote>\nMy answer.",
                ),
            ],
        },
        SamplePost {
            id: 13,
            path: "/2024/03/01/hello-world/cat/".into(),
            title: "cat".into(),
            post_type: "attachment".into(),
            slug: "cat".into(),
            published_ms: MARCH_2024,
            comments: vec![],
        },
    ]
}

/// Isso content: markdown bodies; ids unique across threads, as Isso's are.
pub fn example_isso_posts() -> Vec<SamplePost> {
    let comment = |id: u64, parent: Option<u64>, author: &str, text: &str| SampleComment {
        id,
        parent,
        author: author.to_string(),
        created_at_ms: MARCH_2024 + id as i64 * 7 * MINUTE + 250,
        text: text.to_string(),
        ..SampleComment::default()
    };
    vec![
        SamplePost {
            id: 1,
            path: "/2019/hello/".into(),
            title: "Hello, Isso".into(),
            post_type: "post".into(),
            comments: vec![
                SampleComment {
                    email: "zoe@example.org".into(),
                    website: "https://zoe.example.org".into(),
                    likes: 3,
                    ..comment(
                        1,
                        None,
                        "Zoë Ångström",
                        "Hello *world*.\n\nA [link](https://example.com).",
                    )
                },
                comment(2, Some(1), "José Müller", "A reply with `code`."),
                comment(3, Some(2), "山田太郎", "A reply to the reply."),
                SampleComment {
                    status: SampleStatus::Pending,
                    ..comment(4, None, "", "Waiting.")
                },
                SampleComment {
                    status: SampleStatus::Deleted,
                    ..comment(5, None, "Gone", "Deleted, but it has a reply.")
                },
                comment(6, Some(5), "Replier", "Answering a deleted comment."),
            ],
            ..SamplePost::default()
        },
        SamplePost {
            id: 2,
            path: "/2019/second/".into(),
            title: String::new(),
            post_type: "post".into(),
            comments: vec![comment(7, None, "Solo", "Only one here.")],
            ..SamplePost::default()
        },
    ]
}

// ---------------------------------------------------------------------------------------
// WordPress.

/// `YYYY-MM-DD HH:MM:SS`, UTC.
fn mysql_datetime(unix_ms: i64) -> String {
    let rfc3339 = colloquy_core::time::format_rfc3339(unix_ms);
    rfc3339.trim_end_matches('Z').replacen('T', " ", 1)
}

/// `D, d M Y H:i:s +0000`, as RSS wants it.
fn rfc822(unix_ms: i64) -> String {
    const DAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let rfc3339 = colloquy_core::time::format_rfc3339(unix_ms);
    let day = DAYS[unix_ms.div_euclid(86_400_000).rem_euclid(7) as usize];
    let month: usize = rfc3339[5..7].parse().unwrap_or(1);
    format!(
        "{day}, {} {} {} {} +0000",
        &rfc3339[8..10],
        MONTHS[month - 1],
        &rfc3339[..4],
        &rfc3339[11..19]
    )
}

/// `<![CDATA[…]]>`, splitting any `]]>` inside as WordPress's `wxr_cdata` does.
fn cdata(text: &str) -> String {
    format!("<![CDATA[{}]]>", text.replace("]]>", "]]]]><![CDATA[>"))
}

/// A URL as `esc_url` prints it into XML (`&` as `&#038;`).
fn esc_url(url: &str) -> String {
    url.replace('&', "&#038;")
        .replace('<', "%3C")
        .replace('>', "%3E")
}

fn xml_text(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// The start of an export: the comments, the generator, `<rss>` with WXR 1.2's
/// namespaces, the channel's header and its author.
fn wxr_header(created_ms: i64) -> String {
    let created = &mysql_datetime(created_ms)[..16];
    format!(
        r#"<?xml version="1.0" encoding="UTF-8" ?>
<!-- This is a WordPress eXtended RSS file generated by WordPress as an export of your site. -->
<!-- It contains information about your site's posts, pages, comments, categories, and other content. -->
<!-- You may use this file to transfer that content from one site to another. -->
<!-- This file is not intended to serve as a complete backup of your site. -->

<!-- To import this information into a WordPress site follow these steps: -->
<!-- 1. Log in to that site as an administrator. -->
<!-- 2. Go to Tools: Import in the WordPress admin panel. -->
<!-- 3. Install the "WordPress" importer from the list. -->
<!-- 4. Activate & Run Importer. -->
<!-- 5. Upload this file using the form provided on that page. -->
<!-- 6. You will first be asked to map the authors in this export file to users -->
<!--    on the site. For each author, you may choose to map to an -->
<!--    existing user on the site or to create a new user. -->
<!-- 7. WordPress will then import each of the posts, pages, comments, categories, etc. -->
<!--    contained in this file into your site. -->

<!-- generator="WordPress/6.5.2" created="{created}" -->
<rss version="2.0"
	xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/"
	xmlns:content="http://purl.org/rss/1.0/modules/content/"
	xmlns:wfw="http://wellformedweb.org/CommentAPI/"
	xmlns:dc="http://purl.org/dc/elements/1.1/"
	xmlns:wp="http://wordpress.org/export/1.2/"
>

<channel>
	<title>Example &amp; Co</title>
	<link>{SITE}</link>
	<description>Just another WordPress site</description>
	<pubDate>{pub_date}</pubDate>
	<language>en-US</language>
	<wp:wxr_version>1.2</wp:wxr_version>
	<wp:base_site_url>{SITE}</wp:base_site_url>
	<wp:base_blog_url>{SITE}</wp:base_blog_url>

		<wp:author><wp:author_id>1</wp:author_id><wp:author_login><![CDATA[admin]]></wp:author_login><wp:author_email><![CDATA[admin@example.org]]></wp:author_email><wp:author_display_name><![CDATA[admin]]></wp:author_display_name><wp:author_first_name><![CDATA[]]></wp:author_first_name><wp:author_last_name><![CDATA[]]></wp:author_last_name></wp:author>

	<wp:category>
		<wp:term_id>1</wp:term_id>
		<wp:category_nicename><![CDATA[uncategorized]]></wp:category_nicename>
		<wp:category_parent><![CDATA[]]></wp:category_parent>
		<wp:cat_name><![CDATA[Uncategorized]]></wp:cat_name>
	</wp:category>

	<generator>https://wordpress.org/?v=6.5.2</generator>
"#,
        pub_date = rfc822(created_ms),
    )
}

const WXR_FOOTER: &str = "</channel>\n</rss>\n";

/// One `<item>` with its comments, as `export_wp()` prints it.
fn wxr_item(post: &SamplePost) -> String {
    let date = mysql_datetime(post.published_ms);
    let link = format!("{SITE}{}", post.path);
    let mut item = format!(
        "
	<item>
		<title>{title}</title>
		<link>{link}</link>
		<pubDate>{pub_date}</pubDate>
		<dc:creator><![CDATA[admin]]></dc:creator>
		<guid isPermaLink=\"false\">{guid}</guid>
		<description></description>
		<content:encoded>{content}</content:encoded>
		<excerpt:encoded><![CDATA[]]></excerpt:encoded>
		<wp:post_id>{id}</wp:post_id>
		<wp:post_date><![CDATA[{date}]]></wp:post_date>
		<wp:post_date_gmt><![CDATA[{date}]]></wp:post_date_gmt>
		<wp:post_modified><![CDATA[{date}]]></wp:post_modified>
		<wp:post_modified_gmt><![CDATA[{date}]]></wp:post_modified_gmt>
		<wp:comment_status><![CDATA[open]]></wp:comment_status>
		<wp:ping_status><![CDATA[open]]></wp:ping_status>
		<wp:post_name>{slug}</wp:post_name>
		<wp:status>{status}</wp:status>
		<wp:post_parent>{parent}</wp:post_parent>
		<wp:menu_order>0</wp:menu_order>
		<wp:post_type>{post_type}</wp:post_type>
		<wp:post_password><![CDATA[]]></wp:post_password>
		<wp:is_sticky>0</wp:is_sticky>
",
        title = cdata(&post.title),
        link = esc_url(&link),
        pub_date = rfc822(post.published_ms),
        guid = esc_url(&if post.post_type == "attachment" {
            format!("{SITE}/wp-content/uploads/2024/03/{}.png", post.slug)
        } else {
            format!("{SITE}/?p={}", post.id)
        }),
        content = cdata(&format!(
            "<!-- wp:paragraph -->\n<p>{}</p>\n<!-- /wp:paragraph -->",
            xml_text(&post.title)
        )),
        id = post.id,
        slug = cdata(&post.slug),
        status = cdata(if post.post_type == "attachment" {
            "inherit"
        } else {
            "publish"
        }),
        parent = if post.post_type == "attachment" { 1 } else { 0 },
        post_type = cdata(&post.post_type),
    );
    if post.post_type == "attachment" {
        item.push_str(&format!(
            "\t\t<wp:attachment_url>{}</wp:attachment_url>\n",
            cdata(&format!(
                "{SITE}/wp-content/uploads/2024/03/{}.png",
                post.slug
            ))
        ));
    } else if post.post_type == "post" {
        item.push_str(
            "\t\t<category domain=\"category\" nicename=\"uncategorized\"><![CDATA[Uncategorized]]></category>\n",
        );
    }
    item.push_str(
        "\t\t<wp:postmeta>\n\t\t<wp:meta_key><![CDATA[_edit_last]]></wp:meta_key>\n\t\t<wp:meta_value><![CDATA[1]]></wp:meta_value>\n\t\t</wp:postmeta>\n",
    );
    for comment in &post.comments {
        item.push_str(&wxr_comment(comment));
    }
    item.push_str("\t</item>\n");
    item
}

fn wxr_comment(comment: &SampleComment) -> String {
    let date = mysql_datetime(comment.created_at_ms);
    let gmt = if comment.zero_gmt_date {
        "0000-00-00 00:00:00".to_string()
    } else {
        date.clone()
    };
    let approved = match comment.status {
        SampleStatus::Approved => "1",
        SampleStatus::Pending => "0",
        SampleStatus::Spam => "spam",
        SampleStatus::Deleted => "trash",
    };
    let kind = match comment.kind {
        SampleKind::Comment => "comment",
        SampleKind::Pingback => "pingback",
        SampleKind::Trackback => "trackback",
    };
    let mut text = format!(
        "\t\t<wp:comment>
			<wp:comment_id>{id}</wp:comment_id>
			<wp:comment_author>{author}</wp:comment_author>
			<wp:comment_author_email>{email}</wp:comment_author_email>
			<wp:comment_author_url>{url}</wp:comment_author_url>
			<wp:comment_author_IP>{ip}</wp:comment_author_IP>
			<wp:comment_date>{date}</wp:comment_date>
			<wp:comment_date_gmt>{gmt}</wp:comment_date_gmt>
			<wp:comment_content>{content}</wp:comment_content>
			<wp:comment_approved>{approved}</wp:comment_approved>
			<wp:comment_type>{kind}</wp:comment_type>
			<wp:comment_parent>{parent}</wp:comment_parent>
			<wp:comment_user_id>0</wp:comment_user_id>
",
        id = comment.id,
        author = cdata(&comment.author),
        email = cdata(&comment.email),
        url = esc_url(&comment.website),
        ip = cdata("192.0.2.1"),
        date = cdata(&date),
        gmt = cdata(&gmt),
        content = cdata(&comment.text),
        approved = cdata(approved),
        kind = cdata(kind),
        parent = comment.parent.unwrap_or(0),
    );
    if comment.kind == SampleKind::Comment && comment.status != SampleStatus::Spam {
        text.push_str(
            "\t<wp:commentmeta>\n\t<wp:meta_key><![CDATA[akismet_result]]></wp:meta_key>\n\t\t\t<wp:meta_value><![CDATA[false]]></wp:meta_value>\n\t\t\t</wp:commentmeta>\n",
        );
    }
    text.push_str("\t\t</wp:comment>\n");
    text
}

/// A WordPress 6 export (WXR 1.2) of `posts`, as Tools → Export writes it. Unlike core
/// WordPress, it keeps spam comments (as older versions and some plugins do) so that
/// reading them can be tested.
pub fn wordpress_wxr(posts: &[SamplePost]) -> String {
    let mut document = wxr_header(MARCH_2024 + 30 * 86_400_000);
    for post in posts {
        document.push_str(&wxr_item(post));
    }
    document.push_str(WXR_FOOTER);
    document
}

/// A generated WXR, in chunks (the header, one item of up to 20 comments at a time, the
/// end), so a file of any size is made without holding it: `comments` comments, their
/// bodies varied with entities, smilies, links, paragraphs and non-ASCII text, about one
/// in three a reply (to any depth), about one in thirty pending. No pingbacks: every
/// comment becomes a [`super::Record::Comment`], and there are
/// `comments.div_ceil(GENERATED_COMMENTS_PER_POST)` threads. The same seed gives the same
/// file.
pub fn generated_wordpress(comments: usize, seed: u64) -> impl Iterator<Item = String> {
    let posts = comments.div_ceil(GENERATED_COMMENTS_PER_POST);
    let mut random = SplitMix(seed);
    let header = std::iter::once(wxr_header(MARCH_2024));
    let items = (0..posts).map(move |p| {
        let first = p * GENERATED_COMMENTS_PER_POST;
        let last = comments.min(first + GENERATED_COMMENTS_PER_POST);
        let post_id = p as u64 + 1;
        let mut post = SamplePost {
            id: post_id,
            path: format!("/generated/{post_id}/post-{post_id}/"),
            title: format!(
                "Generated post {post_id} – «{}»",
                AUTHORS[p % AUTHORS.len()]
            ),
            post_type: "post".into(),
            slug: format!("post-{post_id}"),
            published_ms: MARCH_2024 + p as i64 * 86_400_000,
            comments: Vec::with_capacity(last - first),
        };
        for n in first..last {
            let id = n as u64 + 1;
            let parent = (n > first && random.below(3) == 0)
                .then(|| first as u64 + 1 + random.below((n - first) as u64));
            let status = if random.below(30) == 0 {
                SampleStatus::Pending
            } else {
                SampleStatus::Approved
            };
            let author = AUTHORS[random.below(AUTHORS.len() as u64) as usize];
            post.comments.push(SampleComment {
                id,
                parent,
                author: author.to_string(),
                email: format!("reader{}@example.org", random.below(5000)),
                website: if random.below(4) == 0 {
                    format!("https://reader{id}.example.net/")
                } else {
                    String::new()
                },
                created_at_ms: post.published_ms + (n - first) as i64 * 37 * MINUTE,
                text: generated_body(&mut random, id),
                status,
                ..SampleComment::default()
            });
        }
        wxr_item(&post)
    });
    header
        .chain(items)
        .chain(std::iter::once(WXR_FOOTER.to_string()))
}

pub const GENERATED_COMMENTS_PER_POST: usize = 20;

const AUTHORS: &[&str] = &[
    "Ada",
    "Zoë Ångström",
    "José Müller",
    "山田太郎",
    "Олена",
    "Søren",
    "Nguyễn Văn A",
    "O'Brien & Sons",
];

fn generated_body(random: &mut SplitMix, id: u64) -> String {
    match random.below(6) {
        0 => format!("Comment number {id}. Short and plain."),
        1 => format!(
            "I&#8217;d agree &amp; add something&hellip; {SMILEY}\nOn a second line, number {id}."
        ),
        2 => format!(
            "See <a href=\"https://example.com/{id}?ref=a&amp;b=c\" rel=\"nofollow ugc\">this page</a>.\n\nAnd a second paragraph with <strong>bold</strong> and <em>emphasis</em>."
        ),
        3 => format!(
            "Ünïcødé — ça marche, 日本語も。 Number {id}.\n\n<blockquote>A quote\nover two lines</blockquote>\nMy reply."
        ),
        4 => format!(
            "A longer comment, number {id}, that goes on for a while so that the file has some weight to it: {}",
            "lorem ipsum dolor sit amet, consectetur adipiscing elit. ".repeat(4)
        ),
        _ => format!("Bare link https://example.net/{id}/page and `code` * stars * _under_ [brackets]."),
    }
}

/// The bare file of [`generated_wordpress`] as a `BufRead` that makes each chunk when it
/// is read, for streaming tests and the bench.
pub fn generated_wordpress_reader(comments: usize, seed: u64) -> impl BufRead {
    BufReader::with_capacity(
        64 * 1024,
        ChunkReader::new(generated_wordpress(comments, seed)),
    )
}

/// Writes [`generated_wordpress`] to `out`; returns the bytes written.
pub fn write_generated_wordpress(
    mut out: impl Write,
    comments: usize,
    seed: u64,
) -> io::Result<u64> {
    let mut written = 0;
    for chunk in generated_wordpress(comments, seed) {
        out.write_all(chunk.as_bytes())?;
        written += chunk.len() as u64;
    }
    out.flush()?;
    Ok(written)
}

/// A `Read` over chunks made on demand: only the current chunk is held.
pub struct ChunkReader<I> {
    chunks: I,
    current: Vec<u8>,
    at: usize,
    /// Bytes handed out so far.
    pub produced: u64,
}

impl<I: Iterator<Item = String>> ChunkReader<I> {
    pub fn new(chunks: I) -> Self {
        Self {
            chunks,
            current: Vec::new(),
            at: 0,
            produced: 0,
        }
    }
}

impl<I: Iterator<Item = String>> Read for ChunkReader<I> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        while self.at == self.current.len() {
            match self.chunks.next() {
                Some(chunk) => {
                    self.current = chunk.into_bytes();
                    self.at = 0;
                }
                None => return Ok(0),
            }
        }
        let n = buf.len().min(self.current.len() - self.at);
        buf[..n].copy_from_slice(&self.current[self.at..self.at + n]);
        self.at += n;
        self.produced += n as u64;
        Ok(n)
    }
}

/// A small deterministic generator (SplitMix64), so samples need no dependency.
struct SplitMix(u64);

impl SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// In `0..n` (`n > 0`).
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// The parent a comment has in a file that leaves some comments out: the nearest one
/// above it that `kept` keeps.
fn kept_parent(
    post: &SamplePost,
    mut parent: Option<u64>,
    kept: impl Fn(&SampleComment) -> bool,
) -> Option<u64> {
    for _ in 0..=post.comments.len() {
        let above = post.comments.iter().find(|c| Some(c.id) == parent)?;
        if kept(above) {
            return parent;
        }
        parent = above.parent;
    }
    None
}

// ---------------------------------------------------------------------------------------
// Disqus.

/// A comment's WordPress-style text as Disqus keeps a message: paragraphs in `<p>`,
/// single newlines as `<br>`.
/// Disqus makes bare URLs links (`rel="nofollow noopener" target="_blank"`, the URL as
/// the title).
fn disqus_message(text: &str) -> String {
    text.replace("</blockquote>\n", "</blockquote>")
        .split("\n\n")
        .map(str::trim)
        .filter(|paragraph| !paragraph.is_empty())
        .map(|paragraph| {
            let linked: Vec<String> = paragraph
                .split(' ')
                .map(|word| {
                    let url = word.trim_end_matches([',', '.']);
                    if url.starts_with("https://") || url.starts_with("http://") {
                        word.replacen(
                            url,
                            &format!("<a href=\"{url}\" rel=\"nofollow noopener\" target=\"_blank\" title=\"{url}\">{url}</a>"),
                            1,
                        )
                    } else {
                        word.to_string()
                    }
                })
                .collect();
            format!("<p>{}</p>", linked.join(" ").replace('\n', "<br>"))
        })
        .collect()
}

/// A Disqus export of `posts`, as Disqus's export writes it: one category, a `<thread>`
/// per post (its `dsq:id` is the post's id), then a `<post>` per comment (its `dsq:id` the
/// comment's). Pingbacks and trackbacks are left out (Disqus has none); a pending comment
/// has `<isApproved>false</isApproved>`, a deleted one an empty message.
pub fn disqus_export(posts: &[SamplePost]) -> String {
    let mut document = String::from(
        r#"<?xml version="1.0" encoding="utf-8"?>
<disqus xmlns="http://disqus.com" xmlns:dsq="http://disqus.com/disqus-internals" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="http://disqus.com/api/schemas/1.0/disqus.xsd http://disqus.com/api/schemas/1.0/disqus-internals.xsd">
  <category dsq:id="700001">
    <forum>example-org</forum>
    <title>General</title>
    <isDefault>true</isDefault>
  </category>
"#,
    );
    for post in posts.iter().filter(|p| p.post_type != "attachment") {
        document.push_str(&format!(
            r#"  <thread dsq:id="{id}">
    <id>{id} {SITE}/?p={id}</id>
    <forum>example-org</forum>
    <category dsq:id="700001"/>
    <link>{link}</link>
    <title>{title}</title>
    <message/>
    <createdAt>{created}</createdAt>
    <author>
      <name>Example Admin</name>
      <isAnonymous>false</isAnonymous>
      <username>example_admin</username>
    </author>
    <isClosed>false</isClosed>
    <isDeleted>false</isDeleted>
  </thread>
"#,
            id = post.id,
            link = xml_text(&format!("{SITE}{}", post.path)),
            title = xml_text(&post.title),
            created = colloquy_core::time::format_rfc3339(post.published_ms),
        ));
    }
    for post in posts {
        for comment in post
            .comments
            .iter()
            .filter(|c| c.kind == SampleKind::Comment)
        {
            let deleted = comment.status == SampleStatus::Deleted;
            let message = if deleted {
                "<message/>".to_string()
            } else {
                format!(
                    "<message>{}</message>",
                    cdata(&disqus_message(&comment.text))
                )
            };
            let anonymous = comment.email.is_empty();
            let mut author = String::new();
            if !comment.email.is_empty() {
                author.push_str(&format!(
                    "      <email>{}</email>\n",
                    xml_text(&comment.email)
                ));
            }
            author.push_str(&format!(
                "      <name>{}</name>\n      <isAnonymous>{anonymous}</isAnonymous>\n",
                cdata(&comment.author)
            ));
            if !anonymous {
                author.push_str(&format!(
                    "      <username>reader{}</username>\n",
                    comment.id
                ));
            }
            if !comment.website.is_empty() {
                author.push_str(&format!(
                    "      <link>{}</link>\n",
                    xml_text(&comment.website)
                ));
            }
            let parent = kept_parent(post, comment.parent, |c| c.kind == SampleKind::Comment)
                .map(|p| format!("    <parent dsq:id=\"{p}\"/>\n"))
                .unwrap_or_default();
            document.push_str(&format!(
                r#"  <post dsq:id="{id}">
    <id/>
    {message}
    <createdAt>{created}</createdAt>
    <isDeleted>{deleted}</isDeleted>
    <isSpam>{spam}</isSpam>
    <isApproved>{approved}</isApproved>
    <author>
{author}    </author>
    <ipAddress>192.0.2.1</ipAddress>
    <thread dsq:id="{thread}"/>
{parent}  </post>
"#,
                id = comment.id,
                created = colloquy_core::time::format_rfc3339(comment.created_at_ms),
                spam = comment.status == SampleStatus::Spam,
                approved = comment.status != SampleStatus::Pending,
                thread = post.id,
            ));
        }
    }
    document.push_str("</disqus>\n");
    document
}

// ---------------------------------------------------------------------------------------
// Isso.

fn kept_by_isso(comment: &SampleComment) -> bool {
    comment.kind == SampleKind::Comment && comment.status != SampleStatus::Spam
}

/// Isso's `_find`: a reply answers the top-level comment it is under; a parent that is
/// not there makes it top-level.
fn isso_parent(post: &SamplePost, parent: Option<u64>) -> Option<u64> {
    let mut parent = parent?;
    for _ in 0..=post.comments.len() {
        let above = post
            .comments
            .iter()
            .find(|c| c.id == parent && kept_by_isso(c))?;
        match above.parent {
            Some(grandparent) if isso_parent(post, Some(grandparent)).is_some() => {
                parent = grandparent;
            }
            _ => return Some(parent),
        }
    }
    Some(parent)
}

/// The statements Isso 0.13 issues on an empty file (`isso/db/__init__.py` and the table
/// classes), in its order and its words.
pub const ISSO_SCHEMA: &[&str] = &[
    "CREATE TABLE IF NOT EXISTS preferences (    key VARCHAR PRIMARY KEY, value VARCHAR );",
    "CREATE TABLE IF NOT EXISTS threads (     id INTEGER PRIMARY KEY, uri VARCHAR(256) UNIQUE, title VARCHAR(256))",
    "
            CREATE TABLE IF NOT EXISTS comments (
                tid REFERENCES threads(id),
                id INTEGER PRIMARY KEY,
                parent INTEGER,
                created FLOAT NOT NULL,
                modified FLOAT,
                mode INTEGER,
                remote_addr VARCHAR,
                text VARCHAR NOT NULL,
                author VARCHAR,
                email VARCHAR,
                website VARCHAR,
                likes INTEGER DEFAULT 0,
                dislikes INTEGER DEFAULT 0,
                voters BLOB NOT NULL,
                notification INTEGER DEFAULT 0
            );
        ",
    "PRAGMA user_version = 5",
    "CREATE TRIGGER IF NOT EXISTS remove_stale_threads AFTER DELETE ON comments BEGIN     DELETE FROM threads WHERE id NOT IN (SELECT tid FROM comments); END",
];

/// Writes an Isso database of `posts` at `path` (created; it must not exist), as Isso
/// would have it: its schema, one thread per post (its `uri` the post's path, its id the
/// post's), one row per comment with `text` as written (markdown). As Isso does, a reply
/// answers its top-level comment, a deleted comment keeps its row with the text, author
/// and website emptied (mode 4), and the remote address is anonymised. Spam, pingbacks and
/// trackbacks are left out (Isso keeps none).
pub async fn isso_database(path: &Path, posts: &[SamplePost]) -> Result<(), sqlx::Error> {
    // As Python's sqlite3, which Isso uses: no foreign keys.
    let options = SqliteConnectOptions::new()
        .filename(path)
        .create_if_missing(true)
        .foreign_keys(false);
    let pool = SqlitePoolOptions::new()
        .max_connections(1)
        .connect_with(options)
        .await?;
    for statement in ISSO_SCHEMA {
        sqlx::query(statement).execute(&pool).await?;
    }
    sqlx::query("INSERT INTO preferences (key, value) VALUES (?, ?)")
        .bind("session-key")
        .bind("6f2c0d6e9b1a4f0e8d7c6b5a49382716a5b4c3d2e1f00918")
        .execute(&pool)
        .await?;
    for post in posts {
        sqlx::query("INSERT INTO threads (id, uri, title) VALUES (?, ?, ?)")
            .bind(post.id as i64)
            .bind(&post.path)
            .bind(&post.title)
            .execute(&pool)
            .await?;
        for comment in post.comments.iter().filter(|c| kept_by_isso(c)) {
            let parent = isso_parent(post, comment.parent);
            let deleted = comment.status == SampleStatus::Deleted;
            let mode = match comment.status {
                SampleStatus::Pending => 2,
                SampleStatus::Deleted => 4,
                _ => 1,
            };
            let optional = |text: &str| (!deleted && !text.is_empty()).then(|| text.to_string());
            sqlx::query(
                "INSERT INTO comments (tid, id, parent, created, modified, mode, remote_addr, \
                 text, author, email, website, likes, dislikes, voters, notification) \
                 VALUES (?, ?, ?, ?, NULL, ?, ?, ?, ?, ?, ?, ?, 0, zeroblob(256), 0)",
            )
            .bind(post.id as i64)
            .bind(comment.id as i64)
            .bind(parent.map(|p| p as i64))
            .bind(comment.created_at_ms as f64 / 1000.0)
            .bind(mode)
            .bind("192.0.2.0")
            .bind(if deleted { "" } else { comment.text.as_str() })
            .bind(optional(&comment.author))
            .bind((!comment.email.is_empty()).then(|| comment.email.clone()))
            .bind(optional(&comment.website))
            .bind(comment.likes as i64)
            .execute(&pool)
            .await?;
        }
    }
    pool.close().await;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::{wordpress, Record};

    #[test]
    fn the_export_looks_like_wordpress_6() {
        let wxr = wordpress_wxr(&example_posts());
        for expected in [
            "<?xml version=\"1.0\" encoding=\"UTF-8\" ?>",
            "<!-- generator=\"WordPress/6.5.2\" created=\"2024-03-31 12:00\" -->",
            "xmlns:wp=\"http://wordpress.org/export/1.2/\"",
            "xmlns:excerpt=\"http://wordpress.org/export/1.2/excerpt/\"",
            "<wp:wxr_version>1.2</wp:wxr_version>",
            "<pubDate>Fri, 01 Mar 2024 12:00:00 +0000</pubDate>",
            "<guid isPermaLink=\"false\">https://example.org/?p=1</guid>",
            "<link>https://example.org/?p=12</link>",
            "<wp:post_id>12</wp:post_id>",
            "<wp:post_name><![CDATA[hello-world]]></wp:post_name>",
            "<wp:status><![CDATA[publish]]></wp:status>",
            "<wp:post_type><![CDATA[attachment]]></wp:post_type>",
            "<wp:comment_approved><![CDATA[spam]]></wp:comment_approved>",
            "<wp:comment_type><![CDATA[pingback]]></wp:comment_type>",
            "<wp:comment_date_gmt><![CDATA[0000-00-00 00:00:00]]></wp:comment_date_gmt>",
            "<wp:comment_author_url>https://wordpress.org/</wp:comment_author_url>",
            "class=\"wp-smiley\" style=\"height: 1em; max-height: 1em;\"",
        ] {
            assert!(wxr.contains(expected), "missing {expected}");
        }
    }

    #[test]
    fn cdata_ends_are_split_as_wordpress_does() {
        let mut posts = example_posts();
        posts[0].comments[0].text = "a ]]> b & <i>c</i>".into();
        let wxr = wordpress_wxr(&posts);
        assert!(wxr.contains("<![CDATA[a ]]]]><![CDATA[> b & <i>c</i>]]>"));
        let first = wordpress::read(wxr.as_bytes(), wordpress::KeyFrom::Link)
            .find_map(|r| match r.unwrap() {
                Record::Comment(c) => Some(c),
                Record::Thread { .. } | Record::Skipped(_) => None,
            })
            .unwrap();
        assert_eq!(first.body, "a \\]\\]> b & *c*");
    }

    #[test]
    fn the_generated_export_is_made_in_chunks_and_repeatable() {
        let chunks: Vec<String> = generated_wordpress(45, 3).collect();
        // The header, three items (20 + 20 + 5 comments), the end.
        assert_eq!(chunks.len(), 5);
        assert!(chunks[0].contains("<channel>") && !chunks[0].contains("<item>"));
        assert_eq!(chunks[3].matches("<wp:comment>").count(), 5);
        assert_eq!(chunks[4], WXR_FOOTER);
        assert_eq!(chunks, generated_wordpress(45, 3).collect::<Vec<_>>());
        assert_ne!(chunks, generated_wordpress(45, 4).collect::<Vec<_>>());
        let mut file = Vec::new();
        let written = write_generated_wordpress(&mut file, 45, 3).unwrap();
        assert_eq!(written as usize, file.len());
        assert_eq!(String::from_utf8(file).unwrap(), chunks.concat());
        let mut read_back = String::new();
        generated_wordpress_reader(45, 3)
            .read_to_string(&mut read_back)
            .unwrap();
        assert_eq!(read_back, chunks.concat());
    }

    #[test]
    fn disqus_keeps_paragraphs_and_links() {
        assert_eq!(
            disqus_message("One\ntwo https://e.org/x.\n\nThree"),
            "<p>One<br>two <a href=\"https://e.org/x\" rel=\"nofollow noopener\" target=\"_blank\" title=\"https://e.org/x\">https://e.org/x</a>.</p><p>Three</p>"
        );
        let export = disqus_export(&example_posts());
        assert!(export.starts_with("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<disqus xmlns=\"http://disqus.com\" xmlns:dsq=\"http://disqus.com/disqus-internals\""));
        // No pingbacks; the reply to the pingback answers the post.
        assert!(!export.contains("<post dsq:id=\"6\">"));
        assert!(!export.contains("<parent dsq:id=\"6\"/>"));
        assert!(export.contains("<parent dsq:id=\"3\"/>"));
    }

    #[test]
    fn isso_parents_are_top_level() {
        let posts = example_isso_posts();
        let parent = |id: usize| isso_parent(&posts[0], posts[0].comments[id - 1].parent);
        assert_eq!(parent(2), Some(1));
        assert_eq!(parent(3), Some(1));
        assert_eq!(parent(6), Some(5));
        assert_eq!(parent(1), None);
        let wordpress = example_posts();
        // 9 answered the pingback, which Isso never had.
        assert_eq!(isso_parent(&wordpress[0], Some(6)), None);
        assert_eq!(isso_parent(&wordpress[0], Some(10)), Some(1));
    }
}
