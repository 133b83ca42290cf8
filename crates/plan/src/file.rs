//! The plan file (TOML): the options to compare, the assumptions and the price book.
//!
//! Every error names the file and the key (`plan.toml: option[2] "subregional":
//! ixps[0].members[3]: unknown country "VX"`). Unknown keys are refused, so a misspelt key
//! never silently falls back to a default.

use std::collections::BTreeMap;
use std::path::Path;
use trombone_schema::Country;

/// The documented default transit price (USD per Mbps per month) for Cambodia, Lao PDR and
/// Myanmar.
pub const ESCAP_TRANSIT_USD: f64 = 100.0;

/// The citation of [`ESCAP_TRANSIT_USD`].
pub const ESCAP_TRANSIT_SOURCE: &str = "UN ESCAP and NIA (2016), A Pre-Feasibility Study on the Asia-Pacific Information Superhighway in the ASEAN Sub-region: about 100 USD per Mbps per month for international transit in Cambodia, Lao PDR and Myanmar (trombone's documented default, as analyze --transit-price)";

/// Countries with the documented default transit price.
pub const ESCAP_TRANSIT_COUNTRIES: [&str; 3] = ["KH", "LA", "MM"];

/// Why a plan file was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlanFileError(pub String);

impl std::fmt::Display for PlanFileError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for PlanFileError {}

mod raw {
    use serde::Deserialize;
    use std::collections::BTreeMap;

    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct File {
        pub title: Option<String>,
        pub growth: Option<f64>,
        pub port_target: Option<f64>,
        pub port_speeds_gbps: Option<Vec<f64>>,
        pub spare_share: Option<f64>,
        pub min_spares: Option<i64>,
        pub horizon_years: Option<f64>,
        #[serde(default)]
        pub option: Vec<Opt>,
        pub prices: Option<Prices>,
    }

    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct Opt {
        pub name: String,
        pub description: Option<String>,
        pub ixps: Vec<Ixp>,
        pub interconnect: Option<Ixp>,
    }

    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct Ixp {
        pub name: Option<String>,
        pub at: String,
        pub members: Vec<String>,
    }

    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct Prices {
        pub allow_unpriced: Option<bool>,
        pub currency: Option<String>,
        #[serde(default)]
        pub transit: BTreeMap<String, PerMbps>,
        #[serde(default)]
        pub transport: BTreeMap<String, PerMbps>,
        #[serde(default)]
        pub port: BTreeMap<String, Once>,
        pub switch: Option<Switch>,
        #[serde(default)]
        pub colocation: BTreeMap<String, PerYear>,
        #[serde(default)]
        pub operations: BTreeMap<String, PerYear>,
    }

    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct PerMbps {
        pub usd_per_mbps_month: f64,
        pub source: String,
    }

    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct Once {
        pub usd: f64,
        pub source: String,
    }

    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct Switch {
        pub usd: f64,
        pub ports: i64,
        pub source: String,
    }

    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct PerYear {
        pub usd_per_year: f64,
        pub source: String,
    }
}

/// One IXP (or the interconnect) of an option.
#[derive(Clone, Debug, PartialEq)]
pub struct IxpSpec {
    /// Its name ("IXP at KH" unless given).
    pub name: String,
    /// Where it is built.
    pub at: Country,
    /// Countries whose networks join it (for the interconnect: whose IXPs connect).
    pub members: Vec<Country>,
}

/// One option to compare.
#[derive(Clone, Debug, PartialEq)]
pub struct OptionSpec {
    /// Its name.
    pub name: String,
    /// Its description.
    pub description: Option<String>,
    /// Its IXPs, in file order.
    pub ixps: Vec<IxpSpec>,
    /// The interconnect between its IXPs (hybrid).
    pub interconnect: Option<IxpSpec>,
}

/// A price and where it comes from.
#[derive(Clone, Debug, PartialEq)]
pub struct Price {
    /// USD (per the unit of its table).
    pub usd: f64,
    /// Its source, as given (or the default's citation).
    pub source: String,
    /// True for the documented default.
    pub default: bool,
}

/// A switch price: per switch, and the ports one switch holds.
#[derive(Clone, Debug, PartialEq)]
pub struct SwitchPrice {
    /// USD per switch.
    pub price: Price,
    /// Ports per switch.
    pub ports: u32,
}

/// The price book.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PriceBook {
    /// True when the plan file has a `[prices]` table. Without one every price but the
    /// documented transit defaults is missing, and the plan is made with those figures
    /// not priced (and a warning) instead of an error.
    pub given: bool,
    /// A missing price makes figures "not priced" instead of an error (always true when
    /// no price book is given).
    pub allow_unpriced: bool,
    /// Transit, USD per Mbps per month, by country (KH, LA, MM default to ESCAP 2016).
    pub transit: BTreeMap<Country, Price>,
    /// Cross-border transport, USD per Mbps per month, by route ("KH-VN", sorted).
    pub transport: BTreeMap<String, Price>,
    /// IXP switch ports (with optics), USD per port, by port name ("10GE").
    pub port: BTreeMap<String, Price>,
    /// Switch chassis.
    pub switch: Option<SwitchPrice>,
    /// Colocation (space, power), USD per year per site, by country; `None` key = default.
    pub colocation: BTreeMap<Option<Country>, Price>,
    /// Operations (staff, maintenance), USD per year per site, by country; `None` = default.
    pub operations: BTreeMap<Option<Country>, Price>,
}

impl PriceBook {
    /// The per-site yearly price of `table` at `c`: the country's own, else the default.
    pub fn per_site(
        table: &BTreeMap<Option<Country>, Price>,
        c: Country,
    ) -> Option<(&Price, String)> {
        if let Some(p) = table.get(&Some(c)) {
            return Some((p, c.as_str().to_string()));
        }
        table.get(&None).map(|p| (p, "default".to_string()))
    }
}

/// A parsed and checked plan file.
#[derive(Clone, Debug, PartialEq)]
pub struct PlanFile {
    /// The file name as given (for messages).
    pub file: String,
    /// Title.
    pub title: Option<String>,
    /// Growth factor (default 1.0).
    pub growth: f64,
    /// Port utilisation target (default 0.5).
    pub port_target: f64,
    /// Port speeds, Gbps, ascending (default 1, 10, 25, 40, 100, 400).
    pub port_speeds_gbps: Vec<f64>,
    /// Spares as a share of ports in use, per speed (default 0.25).
    pub spare_share: f64,
    /// Fewest spares per speed in use (default 1).
    pub min_spares: u32,
    /// Years the options are compared over (default 5).
    pub horizon_years: f64,
    /// The options.
    pub options: Vec<OptionSpec>,
    /// The price book.
    pub prices: PriceBook,
}

/// "10GE", "2.5GE" (the sizing section's names).
pub fn port_name(g: f64) -> String {
    if g.fract() == 0.0 {
        format!("{}GE", g as u64)
    } else {
        format!("{g}GE")
    }
}

/// The route key of two countries: alphabetical, "KH-VN".
pub fn route_key(a: Country, b: Country) -> String {
    let (x, y) = if a <= b { (a, b) } else { (b, a) };
    format!("{x}-{y}")
}

/// A country of the built-in table (ISO 3166-1 alpha-2, any case).
fn country(file: &str, key: &str, s: &str) -> Result<Country, PlanFileError> {
    let c: Country = s.parse().map_err(|_| {
        PlanFileError(format!(
            "{file}: {key}: unknown country {s:?}: give an ISO 3166-1 alpha-2 code such as \"KH\""
        ))
    })?;
    if trombone_geo::country(c.as_str()).is_none() {
        return Err(PlanFileError(format!(
            "{file}: {key}: unknown country {s:?}: not an ISO 3166-1 alpha-2 code of trombone's country table"
        )));
    }
    Ok(c)
}

/// A price figure: finite, zero or more.
fn amount(file: &str, key: &str, v: f64) -> Result<f64, PlanFileError> {
    if !v.is_finite() || v < 0.0 {
        return Err(PlanFileError(format!(
            "{file}: {key}: must be a number zero or more, not {v}"
        )));
    }
    Ok(v)
}

/// A source: said, not empty.
fn source(file: &str, key: &str, s: &str) -> Result<String, PlanFileError> {
    let t = s.trim();
    if t.is_empty() {
        return Err(PlanFileError(format!(
            "{file}: {key}.source: empty: say where the price comes from (a quote, a public price list and its address, or \"user estimate\"); trombone invents no prices"
        )));
    }
    Ok(t.to_string())
}

/// A TOML key shown as in the file: bare if it can be, else quoted.
fn tkey(k: &str) -> String {
    if !k.is_empty()
        && k.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    {
        k.to_string()
    } else {
        format!("{k:?}")
    }
}

impl PlanFile {
    /// Reads and checks the plan file at `path`.
    pub fn load(path: &Path) -> Result<PlanFile, PlanFileError> {
        let file = path.display().to_string();
        let text =
            std::fs::read_to_string(path).map_err(|e| PlanFileError(format!("{file}: {e}")))?;
        PlanFile::parse(&file, &text)
    }

    /// Parses and checks plan-file `text`; `file` names it in messages.
    pub fn parse(file: &str, text: &str) -> Result<PlanFile, PlanFileError> {
        let raw: raw::File = toml::from_str(text)
            .map_err(|e| PlanFileError(format!("{file}: {}", e.to_string().trim_end())))?;
        let growth = raw.growth.unwrap_or(1.0);
        if !(growth.is_finite() && growth > 0.0) {
            return Err(PlanFileError(format!(
                "{file}: growth: must be a positive number (traffic at the horizon ÷ measured traffic), not {growth}"
            )));
        }
        let port_target = raw.port_target.unwrap_or(0.5);
        if !(port_target > 0.0 && port_target <= 1.0) {
            return Err(PlanFileError(format!(
                "{file}: port_target: must be in (0, 1], not {port_target}"
            )));
        }
        let mut speeds = raw
            .port_speeds_gbps
            .unwrap_or_else(|| vec![1.0, 10.0, 25.0, 40.0, 100.0, 400.0]);
        if speeds.is_empty() {
            return Err(PlanFileError(format!(
                "{file}: port_speeds_gbps: empty: give at least one speed"
            )));
        }
        for (i, s) in speeds.iter().enumerate() {
            if !(s.is_finite() && *s > 0.0) {
                return Err(PlanFileError(format!(
                    "{file}: port_speeds_gbps[{i}]: must be a positive number of Gbps, not {s}"
                )));
            }
        }
        speeds.sort_by(f64::total_cmp);
        speeds.dedup();
        let spare_share = raw.spare_share.unwrap_or(0.25);
        if !(spare_share.is_finite() && spare_share >= 0.0) {
            return Err(PlanFileError(format!(
                "{file}: spare_share: must be zero or more, not {spare_share}"
            )));
        }
        let min_spares = match raw.min_spares {
            None => 1,
            Some(n) if (0..=10_000).contains(&n) => n as u32,
            Some(n) => {
                return Err(PlanFileError(format!(
                    "{file}: min_spares: must be a whole number from 0 to 10000, not {n}"
                )))
            }
        };
        let horizon_years = raw.horizon_years.unwrap_or(5.0);
        if !(horizon_years.is_finite() && horizon_years > 0.0 && horizon_years <= 100.0) {
            return Err(PlanFileError(format!(
                "{file}: horizon_years: must be a positive number of years (at most 100), not {horizon_years}"
            )));
        }

        if raw.option.is_empty() {
            return Err(PlanFileError(format!(
                "{file}: no [[option]]: give at least one option to compare (name, ixps = [{{ at, members }}])"
            )));
        }
        let mut options = Vec::new();
        let mut names = std::collections::BTreeSet::new();
        for (i, o) in raw.option.iter().enumerate() {
            let okey = format!("option[{i}] {:?}", o.name);
            if o.name.trim().is_empty() {
                return Err(PlanFileError(format!(
                    "{file}: option[{i}].name: empty: every option needs a name"
                )));
            }
            if !names.insert(o.name.clone()) {
                return Err(PlanFileError(format!(
                    "{file}: {okey}: name used by an earlier option"
                )));
            }
            if o.ixps.is_empty() {
                return Err(PlanFileError(format!(
                    "{file}: {okey}: ixps: empty: an option needs at least one IXP"
                )));
            }
            let ixp = |key: String, x: &raw::Ixp| -> Result<IxpSpec, PlanFileError> {
                let at = country(file, &format!("{key}.at"), &x.at)?;
                if x.members.is_empty() {
                    return Err(PlanFileError(format!(
                        "{file}: {key}.members: empty: list the countries whose networks join"
                    )));
                }
                let mut members = Vec::new();
                for (m, s) in x.members.iter().enumerate() {
                    let c = country(file, &format!("{key}.members[{m}]"), s)?;
                    if members.contains(&c) {
                        return Err(PlanFileError(format!(
                            "{file}: {key}.members[{m}]: {c} is listed twice"
                        )));
                    }
                    members.push(c);
                }
                if !members.contains(&at) {
                    return Err(PlanFileError(format!(
                        "{file}: {key}.at: {at} is not one of its members ({}): an exchange outside the member countries keeps traffic abroad",
                        members.iter().map(Country::as_str).collect::<Vec<_>>().join(", ")
                    )));
                }
                let name = match &x.name {
                    Some(n) if n.trim().is_empty() => {
                        return Err(PlanFileError(format!("{file}: {key}.name: empty")))
                    }
                    Some(n) => n.trim().to_string(),
                    None => format!("IXP at {at}"),
                };
                Ok(IxpSpec { name, at, members })
            };
            let mut ixps: Vec<IxpSpec> = Vec::new();
            for (j, x) in o.ixps.iter().enumerate() {
                let key = format!("{okey}: ixps[{j}]");
                let spec = ixp(key.clone(), x)?;
                if ixps.iter().any(|y| y.name == spec.name) {
                    return Err(PlanFileError(format!(
                        "{file}: {key}: another IXP of this option is called {:?}: give each a distinct name",
                        spec.name
                    )));
                }
                ixps.push(spec);
            }
            let interconnect = match &o.interconnect {
                None => None,
                Some(x) => {
                    let key = format!("{okey}: interconnect");
                    let mut spec = ixp(key.clone(), x)?;
                    if x.name.is_none() {
                        spec.name = format!("interconnect at {}", spec.at);
                    }
                    for (m, c) in spec.members.iter().enumerate() {
                        if !ixps.iter().any(|y| y.at == *c) {
                            return Err(PlanFileError(format!(
                                "{file}: {key}.members[{m}]: the option has no IXP at {c} to connect"
                            )));
                        }
                    }
                    if spec.members.len() < 2 {
                        return Err(PlanFileError(format!(
                            "{file}: {key}.members: an interconnect joins at least two IXPs"
                        )));
                    }
                    Some(spec)
                }
            };
            options.push(OptionSpec {
                name: o.name.clone(),
                description: o.description.clone(),
                ixps,
                interconnect,
            });
        }

        let prices = price_book(file, raw.prices, &speeds)?;
        Ok(PlanFile {
            file: file.to_string(),
            title: raw.title,
            growth,
            port_target,
            port_speeds_gbps: speeds,
            spare_share,
            min_spares,
            horizon_years,
            options,
            prices,
        })
    }
}

/// The checked price book, with the documented transit defaults added.
fn price_book(
    file: &str,
    raw: Option<raw::Prices>,
    speeds: &[f64],
) -> Result<PriceBook, PlanFileError> {
    let mut book = PriceBook::default();
    for c in ESCAP_TRANSIT_COUNTRIES {
        book.transit.insert(
            c.parse().expect("a country code"),
            Price {
                usd: ESCAP_TRANSIT_USD,
                source: ESCAP_TRANSIT_SOURCE.into(),
                default: true,
            },
        );
    }
    let Some(raw) = raw else {
        book.allow_unpriced = true;
        return Ok(book);
    };
    book.given = true;
    if let Some(c) = &raw.currency {
        if !c.trim().eq_ignore_ascii_case("USD") {
            return Err(PlanFileError(format!(
                "{file}: prices.currency: {c:?}: every price is in USD (convert it, and say so in its source)"
            )));
        }
    }
    book.allow_unpriced = raw.allow_unpriced.unwrap_or(false);
    for (k, v) in &raw.transit {
        let key = format!("prices.transit.{}", tkey(k));
        let c = country(file, &key, k)?;
        book.transit.insert(
            c,
            Price {
                usd: amount(
                    file,
                    &format!("{key}.usd_per_mbps_month"),
                    v.usd_per_mbps_month,
                )?,
                source: source(file, &key, &v.source)?,
                default: false,
            },
        );
    }
    for (k, v) in &raw.transport {
        let key = format!("prices.transport.{}", tkey(k));
        let parts: Vec<&str> = k.split('-').collect();
        let [a, b] = parts.as_slice() else {
            return Err(PlanFileError(format!(
                "{file}: {key}: a route is two countries joined by '-', such as \"KH-VN\""
            )));
        };
        let a = country(file, &key, a)?;
        let b = country(file, &key, b)?;
        if a == b {
            return Err(PlanFileError(format!(
                "{file}: {key}: a cross-border route joins two different countries"
            )));
        }
        let r = route_key(a, b);
        let price = Price {
            usd: amount(
                file,
                &format!("{key}.usd_per_mbps_month"),
                v.usd_per_mbps_month,
            )?,
            source: source(file, &key, &v.source)?,
            default: false,
        };
        if book.transport.insert(r.clone(), price).is_some() {
            return Err(PlanFileError(format!(
                "{file}: {key}: the route {r} is priced twice (routes have no direction)"
            )));
        }
    }
    let names: Vec<String> = speeds.iter().map(|g| port_name(*g)).collect();
    for (k, v) in &raw.port {
        let key = format!("prices.port.{}", tkey(k));
        let name = k.trim().to_ascii_uppercase();
        if !names.contains(&name) {
            return Err(PlanFileError(format!(
                "{file}: {key}: not one of the port speeds ({}); set port_speeds_gbps to plan with other speeds",
                names.join(", ")
            )));
        }
        book.port.insert(
            name,
            Price {
                usd: amount(file, &format!("{key}.usd"), v.usd)?,
                source: source(file, &key, &v.source)?,
                default: false,
            },
        );
    }
    if let Some(s) = &raw.switch {
        if !(1..=100_000).contains(&s.ports) {
            return Err(PlanFileError(format!(
                "{file}: prices.switch.ports: must be a whole number of ports from 1 up, not {}",
                s.ports
            )));
        }
        book.switch = Some(SwitchPrice {
            price: Price {
                usd: amount(file, "prices.switch.usd", s.usd)?,
                source: source(file, "prices.switch", &s.source)?,
                default: false,
            },
            ports: s.ports as u32,
        });
    }
    for (table, raw_t, out) in [
        ("colocation", &raw.colocation, &mut book.colocation),
        ("operations", &raw.operations, &mut book.operations),
    ] {
        for (k, v) in raw_t {
            let key = format!("prices.{table}.{}", tkey(k));
            let c =
                if k == "default" {
                    None
                } else {
                    Some(country(file, &key, k).map_err(|e| {
                        PlanFileError(format!("{e} (or \"default\" for every site)"))
                    })?)
                };
            out.insert(
                c,
                Price {
                    usd: amount(file, &format!("{key}.usd_per_year"), v.usd_per_year)?,
                    source: source(file, &key, &v.source)?,
                    default: false,
                },
            );
        }
    }
    Ok(book)
}

#[cfg(test)]
mod tests {
    use super::*;

    const ISSUE: &str = r#"
[[option]]
name = "national"
ixps = [ { at = "KH", members = ["KH"] }, { at = "LA", members = ["LA"] }, { at = "MM", members = ["MM"] }, { at = "VN", members = ["VN"] } ]
[[option]]
name = "subregional"
ixps = [ { at = "VN", members = ["KH", "LA", "MM", "VN"] } ]
"#;

    fn err(text: &str) -> String {
        PlanFile::parse("plan.toml", text).unwrap_err().0
    }

    #[test]
    fn the_issue_shape_parses_with_documented_defaults() {
        let p = PlanFile::parse("plan.toml", ISSUE).unwrap();
        assert_eq!(p.options.len(), 2);
        assert_eq!(p.options[0].ixps.len(), 4);
        assert_eq!(p.options[0].ixps[1].name, "IXP at LA");
        assert_eq!(p.options[1].ixps[0].members.len(), 4);
        assert_eq!(p.growth, 1.0);
        assert_eq!(p.port_target, 0.5);
        assert_eq!(
            p.port_speeds_gbps,
            vec![1.0, 10.0, 25.0, 40.0, 100.0, 400.0]
        );
        // transit: ESCAP 2016 for KH, LA, MM only, marked as the default
        let kh = &p.prices.transit[&"KH".parse().unwrap()];
        assert_eq!(kh.usd, 100.0);
        assert!(kh.default && kh.source.contains("ESCAP"));
        assert!(!p.prices.transit.contains_key(&"VN".parse().unwrap()));
        assert!(p.prices.port.is_empty() && p.prices.switch.is_none());
        // no [prices] table: no price book, so missing prices are not an error
        assert!(!p.prices.given && p.prices.allow_unpriced);
        // an empty [prices] table is a price book (missing prices are errors)
        let p = PlanFile::parse("plan.toml", &format!("{ISSUE}\n[prices]\n")).unwrap();
        assert!(p.prices.given && !p.prices.allow_unpriced);
    }

    #[test]
    fn prices_parse_with_their_sources_and_routes_have_no_direction() {
        let p = PlanFile::parse(
            "plan.toml",
            &format!(
                "{ISSUE}\n[prices]\n[prices.transit.VN]\nusd_per_mbps_month = 30\nsource = \"user\"\n\
                 [prices.transport.VN-KH]\nusd_per_mbps_month = 4\nsource = \"quote\"\n\
                 [prices.port.10ge]\nusd = 1500\nsource = \"list\"\n\
                 [prices.switch]\nusd = 20000\nports = 48\nsource = \"list\"\n\
                 [prices.colocation.default]\nusd_per_year = 6000\nsource = \"user\"\n\
                 [prices.colocation.VN]\nusd_per_year = 9000\nsource = \"user\"\n"
            ),
        )
        .unwrap();
        assert_eq!(p.prices.transit[&"VN".parse().unwrap()].usd, 30.0);
        assert_eq!(p.prices.transport["KH-VN"].usd, 4.0);
        assert_eq!(p.prices.port["10GE"].usd, 1500.0);
        assert_eq!(p.prices.switch.as_ref().unwrap().ports, 48);
        let vn: Country = "VN".parse().unwrap();
        let kh: Country = "KH".parse().unwrap();
        assert_eq!(
            PriceBook::per_site(&p.prices.colocation, vn).unwrap().0.usd,
            9000.0
        );
        let (d, k) = PriceBook::per_site(&p.prices.colocation, kh).unwrap();
        assert_eq!((d.usd, k.as_str()), (6000.0, "default"));
        assert!(PriceBook::per_site(&p.prices.operations, kh).is_none());
    }

    #[test]
    fn errors_name_the_file_and_the_key() {
        let e = err(&ISSUE.replace("\"MM\", \"VN\"] } ]\n", "\"MX1\", \"VN\"] } ]\n"));
        assert!(
            e.starts_with(
                "plan.toml: option[1] \"subregional\": ixps[0].members[2]: unknown country \"MX1\""
            ),
            "{e}"
        );
        let e = err(&ISSUE.replace(
            "at = \"VN\", members = [\"KH\"",
            "at = \"XX\", members = [\"KH\"",
        ));
        assert!(e.contains("ixps[0].at: unknown country \"XX\""), "{e}");
        let e = err(&format!(
            "{ISSUE}\n[prices.transit.KH]\nusd_per_mbps_month = -5\nsource = \"x\"\n"
        ));
        assert_eq!(
            e,
            "plan.toml: prices.transit.KH.usd_per_mbps_month: must be a number zero or more, not -5"
        );
        let e = err(&format!(
            "{ISSUE}\n[prices.port.10GE]\nusd = 100\nsource = \"  \"\n"
        ));
        assert!(
            e.starts_with("plan.toml: prices.port.10GE.source: empty"),
            "{e}"
        );
        let e = err(&format!(
            "{ISSUE}\n[prices.port.3GE]\nusd = 100\nsource = \"x\"\n"
        ));
        assert!(
            e.contains("prices.port.3GE: not one of the port speeds"),
            "{e}"
        );
        let e = err(&format!("grwoth = 2\n{ISSUE}"));
        assert!(
            e.starts_with("plan.toml: ") && e.contains("unknown field `grwoth`"),
            "{e}"
        );
        let e = err(&format!("{ISSUE}\n[prices.transport.KH-VN]\nusd_per_mbps_month = 1\nsource = \"a\"\n[prices.transport.VN-KH]\nusd_per_mbps_month = 2\nsource = \"b\"\n"));
        assert!(e.contains("route KH-VN is priced twice"), "{e}");
        let e = err(&format!("growth = -1\n{ISSUE}"));
        assert!(
            e.starts_with("plan.toml: growth: must be a positive number"),
            "{e}"
        );
        let e = err(&format!("min_spares = -2\n{ISSUE}"));
        assert!(e.starts_with("plan.toml: min_spares:"), "{e}");
        let e = err("[[option]]\nname = \"x\"\nixps = [ { at = \"VN\", members = [\"KH\"] } ]\n");
        assert!(
            e.contains("ixps[0].at: VN is not one of its members"),
            "{e}"
        );
        let e = err("[[option]]\nname = \"h\"\nixps = [ { at = \"KH\", members = [\"KH\"] } ]\ninterconnect = { at = \"VN\", members = [\"KH\", \"VN\"] }\n");
        assert!(
            e.contains("interconnect.members[1]: the option has no IXP at VN"),
            "{e}"
        );
        let e = err("title = \"x\"\n");
        assert!(e.contains("no [[option]]"), "{e}");
        let e = err(&format!("{ISSUE}\n[prices]\ncurrency = \"EUR\"\n"));
        assert!(e.contains("prices.currency"), "{e}");
        let e = err(&format!(
            "{ISSUE}\n[prices.colocation.Phnom]\nusd_per_year = 1\nsource = \"a\"\n"
        ));
        assert!(
            e.contains("prices.colocation.Phnom: unknown country"),
            "{e}"
        );
    }
}
