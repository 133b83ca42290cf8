//! sFlow v5, NetFlow v5/v9 and IPFIX datagram decoders.
