//! The traffic matrices.

use crate::Country;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// One cell of the AS×AS matrix: traffic from one (ASN, country) to another.
///
/// An AS whose address space spans countries appears in one row per country.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct AsCell {
    /// Source ASN (0 = unknown).
    pub src_asn: u32,
    /// Destination ASN (0 = unknown).
    pub dst_asn: u32,
    /// Source country (null = unknown).
    pub src_country: Option<Country>,
    /// Destination country (null = unknown).
    pub dst_country: Option<Country>,
    /// IP packets.
    pub packets: u64,
    /// L3 bytes.
    pub bytes: u64,
    /// Flows.
    pub flows: u64,
}

/// One cell of the country×country matrix.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct CountryCell {
    /// Source country (null = unknown).
    pub src_country: Option<Country>,
    /// Destination country (null = unknown).
    pub dst_country: Option<Country>,
    /// IP packets.
    pub packets: u64,
    /// L3 bytes.
    pub bytes: u64,
    /// Flows.
    pub flows: u64,
}
