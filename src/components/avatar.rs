use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct AvatarProps {
    /// The comment's avatar seed (see `Comment::avatar`); empty from a server that gives
    /// none, which draws a plain disc.
    pub seed: AttrValue,
}

/// An identicon drawn from the server's seed: a 5 × 5 grid mirrored left to right, its 15
/// distinct cells each on or off by one bit of the seed, in a colour whose hue comes from
/// further bits. Plain SVG nodes: no image is fetched, so no request leaves the page and no
/// third party learns who reads what.
#[component]
pub fn Avatar(props: &AvatarProps) -> Html {
    let bits = u64::from_str_radix(props.seed.get(..12).unwrap_or(""), 16).ok();
    let Some(bits) = bits else {
        return html! {
            <svg class="avatar" viewBox="0 0 5 5" aria-hidden="true" focusable="false">
                <circle cx="2.5" cy="2.5" r="2.5" fill="currentColor" opacity="0.2" />
            </svg>
        };
    };
    let hue = (bits >> 15) % 360;
    let colour = format!("hsl({hue} 55% 45%)");
    // One path of unit squares: two elements per picture, however many cells are on.
    let mut cells = String::new();
    for bit in (0..15u64).filter(|bit| bits >> bit & 1 == 1) {
        let (column, row) = (bit / 5, bit % 5);
        // Columns 0 and 1 are mirrored as 4 and 3; column 2 is the middle.
        let mirrored = (column < 2).then_some(4 - column);
        for x in std::iter::once(column).chain(mirrored) {
            cells.push_str(&format!("M{x} {row}h1v1h-1z"));
        }
    }
    html! {
        <svg class="avatar" viewBox="0 0 5 5" aria-hidden="true" focusable="false" data-seed={props.seed.clone()}>
            <path d={cells} fill={colour} />
        </svg>
    }
}
