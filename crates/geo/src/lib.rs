//! Country locations, great-circle distances and the ESCAP Tromboning Index.
