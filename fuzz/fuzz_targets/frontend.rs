#![no_main]
//! libFuzzer entry for [`tickc_fuzz_targets::frontend`].

libfuzzer_sys::fuzz_target!(|data: &[u8]| tickc_fuzz_targets::frontend(data));
