//! placeholder until the sip helper lands
