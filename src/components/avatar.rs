use yew::prelude::*;

/// An identicon drawn from the server's seed: a 5 × 5 grid mirrored left to right, its 15
/// distinct cells each on or off by one bit of the seed, in a colour whose hue comes from
/// further bits. Plain SVG nodes: no image is fetched, so no request leaves the page and no
/// third party learns who reads what. A plain function, not a component: a long thread
/// draws hundreds, and a component each would cost more than the picture.
///
/// `seed` is the comment's avatar seed (see `Comment::avatar`); one from a server that
/// gives none is empty, and draws a plain disc.
pub fn avatar(seed: &str) -> Html {
    let bits = colloquy_core::scan::parse_digits(seed.get(..12).unwrap_or(""), 16);
    let Some(bits) = bits else {
        return html! {
            <svg class="avatar" viewBox="0 0 5 5" aria-hidden="true" focusable="false">
                <circle cx="2.5" cy="2.5" r="2.5" fill="currentColor" opacity="0.2" />
            </svg>
        };
    };
    let hue = (bits >> 15) % 360;
    let colour = ["hsl(", &crate::text::decimal(hue as i64), " 55% 45%)"].concat();
    let cells = identicon_path(bits);
    html! {
        <svg class="avatar" viewBox="0 0 5 5" aria-hidden="true" focusable="false" data-seed={seed.to_owned()}>
            <path d={cells} fill={colour} />
        </svg>
    }
}

/// The cells `bits` turns on, as one path of unit squares (two elements per picture,
/// however many cells are on): bit `n` is column `n / 5`, row `n % 5`, and columns 0 and 1
/// are mirrored as 4 and 3 around the middle column.
pub fn identicon_path(bits: u64) -> String {
    let mut cells = String::new();
    for bit in (0..15u64).filter(|bit| bits >> bit & 1 == 1) {
        let (column, row) = (bit / 5, bit % 5);
        let mirrored = (column < 2).then_some(4 - column);
        for x in std::iter::once(column).chain(mirrored) {
            // Both are single digits: written as characters, without `format!`, which
            // would be a dozen calls per comment.
            cells.extend(['M', digit(x), ' ', digit(row)]);
            cells.push_str("h1v1h-1z");
        }
    }
    cells
}

/// The digit for `n` (0 to 9).
fn digit(n: u64) -> char {
    char::from(b'0' + n as u8)
}

#[cfg(test)]
mod tests {
    use super::identicon_path;

    #[test]
    fn the_picture_is_mirrored_and_only_the_first_fifteen_bits_count() {
        assert_eq!(identicon_path(1), "M0 0h1v1h-1zM4 0h1v1h-1z");
        // Bit 10 is the middle column's top cell: it has no mirror.
        assert_eq!(identicon_path(1 << 10), "M2 0h1v1h-1z");
        assert_eq!(identicon_path(1 << 15), "", "bit 15 is the colour's");
        assert_eq!(identicon_path(0x7fff).matches('M').count(), 25);
    }
}
