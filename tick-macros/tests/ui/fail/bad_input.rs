use tick_macros::tick;

tick!(mod no_script, file = "cpu.tick");

tick!(mod missing, path = "no/such/script.tick");

fn main() {}
