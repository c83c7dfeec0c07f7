//! node-imap's `debug` output: `<= '* OK ...'` from the server, `=> 'A1 LOGIN ...'` from
//! the client, each a JavaScript string literal, after any prefix (`DEBUG: `, console
//! indentation); `[connection] ...` lines are its own.

use super::unescape::{quoted_tail, split_lines};
use super::Item;

pub fn line(l: &str) -> Option<Vec<Item>> {
    let t = l.trim_start();
    let at = |arrow: &str| {
        t.starts_with(arrow)
            || t.contains(&format!(": {arrow}"))
            || t.contains(&format!(" {arrow}"))
    };
    let (item, arrow): (fn(String) -> Item, &str) = if at("<= '") || at("<= \"") {
        (Item::Server, "<= ")
    } else if at("=> '") || at("=> \"") {
        (Item::Client, "=> ")
    } else {
        return None;
    };
    let body = quoted_tail(t, arrow)?;
    Some(split_lines(&body).into_iter().map(item).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn node_imap_lines() {
        assert_eq!(
            line("<= '* OK Gimap ready for requests from 78.217.236.83 er5mb6261250wjd'"),
            Some(vec![Item::Server(
                "* OK Gimap ready for requests from 78.217.236.83 er5mb6261250wjd".into()
            )])
        );
        assert_eq!(
            line("    => 'A1 LOGIN \"email@email.net\" \"pass\"'"),
            Some(vec![Item::Client(
                "A1 LOGIN \"email@email.net\" \"pass\"".into()
            )])
        );
        assert_eq!(
            line("DEBUG: <= 'A0 OK it\\'s done'"),
            Some(vec![Item::Server("A0 OK it's done".into())])
        );
        assert_eq!(line("[connection] Connected to host"), None);
    }
}
