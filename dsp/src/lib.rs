//! placeholder until the dsp helper lands
