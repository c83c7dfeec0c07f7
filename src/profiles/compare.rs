//! A server's namespaces against a profile's, class by class (RFC 2342 §5: personal,
//! other users', shared), by prefix and delimiter.

use super::Known;
use crate::proto::command::quoted_text;
use crate::proto::{NamespaceDescr, NamespaceSet};
use crate::report::Comparison;

pub fn compare(actual: &NamespaceSet, known: &Known) -> Option<Comparison> {
    let expected = known.namespace.as_ref()?;
    let classes = [
        ("personal", &expected.personal, &actual.personal),
        ("other users", &expected.other_users, &actual.other_users),
        ("shared", &expected.shared, &actual.shared),
    ];
    let differences: Vec<String> = classes
        .iter()
        .filter(|(_, e, a)| !same(e, a))
        .map(|(name, e, a)| difference(name, e, a))
        .collect();
    Some(Comparison {
        profile: known.profile.name.clone(),
        product: known.profile.product.clone(),
        namespace: format_set(expected),
        evidence: known.profile.namespace_evidence.clone().unwrap_or_default(),
        matches: differences.is_empty(),
        differences,
    })
}

fn same(e: &Option<Vec<NamespaceDescr>>, a: &Option<Vec<NamespaceDescr>>) -> bool {
    match (e, a) {
        (None, None) => true,
        (Some(e), Some(a)) => {
            e.len() == a.len()
                && e.iter()
                    .zip(a)
                    .all(|(e, a)| e.prefix == a.prefix && e.delimiter == a.delimiter)
        }
        _ => false,
    }
}

fn difference(
    name: &str,
    e: &Option<Vec<NamespaceDescr>>,
    a: &Option<Vec<NamespaceDescr>>,
) -> String {
    let (e, a) = (format_class(e), format_class(a));
    let case = if e.eq_ignore_ascii_case(&a) {
        " (only the case differs)"
    } else {
        ""
    };
    format!("{name}: expected {e}, got {a}{case}")
}

/// A class in the wire form: `(("prefix" "delim"))` or `NIL`.
pub fn format_class(c: &Option<Vec<NamespaceDescr>>) -> String {
    match c {
        None => "NIL".into(),
        Some(list) => {
            let items: String = list
                .iter()
                .map(|d| {
                    let delim = d
                        .delimiter
                        .as_deref()
                        .map(quoted_text)
                        .unwrap_or_else(|| "NIL".into());
                    format!("({} {delim})", quoted_text(&d.prefix))
                })
                .collect();
            format!("({items})")
        }
    }
}

pub fn format_set(s: &NamespaceSet) -> String {
    format!(
        "{} {} {}",
        format_class(&s.personal),
        format_class(&s.other_users),
        format_class(&s.shared)
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profiles::by_name;
    use crate::proto::namespace_lenient::parse;

    #[test]
    fn exchange_2000_against_5_5_names_the_missing_class() {
        let ex2000 = parse(r#"(("" "/")) NIL (("Public Folders/" "/"))"#).unwrap();
        let c = compare(&ex2000, by_name("exchange55").unwrap()).unwrap();
        assert!(!c.matches);
        assert_eq!(
            c.differences,
            [r#"other users: expected (("Other users/" "/")), got NIL"#]
        );
        assert!(
            compare(&ex2000, by_name("exchange2000").unwrap())
                .unwrap()
                .matches
        );
    }

    #[test]
    fn format_round_trips_the_profiles() {
        for k in crate::profiles::all() {
            if let (Some(raw), Some(set)) = (&k.profile.namespace, &k.namespace) {
                assert_eq!(&format_set(set), raw, "{}", k.profile.name);
            }
        }
    }

    #[test]
    fn case_only_differences_are_said() {
        let rfc = parse(r#"(("" "/")) (("Other Users/" "/")) (("Public Folders/" "/"))"#).unwrap();
        let c = compare(&rfc, by_name("exchange55").unwrap()).unwrap();
        assert!(c.differences[0].ends_with("(only the case differs)"));
    }
}
