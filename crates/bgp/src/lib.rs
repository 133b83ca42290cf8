//! MRT BGP dump reader: RIB and update records, AS paths per prefix.
