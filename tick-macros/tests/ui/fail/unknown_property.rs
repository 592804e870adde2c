use tick_macros::tick;

tick!(mod typo, "stream\n    |from()\n        .measurment('cpu')\n");

fn main() {}
