//! IXP membership: IX-F Member Export and PeeringDB records.
