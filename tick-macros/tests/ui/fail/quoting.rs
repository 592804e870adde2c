use tick_macros::tick;

tick!(
    mod busy,
    r#"
dbrp "telegraf"."autogen"

stream
    |from()
        .measurement("cpu")
    |alert()
        .crit(lambda: "host" == "server1")
"#
);

fn main() {}
