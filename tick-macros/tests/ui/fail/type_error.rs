use tick_macros::tick;

tick!(
    pub mod windows,
    r#"
dbrp "telegraf"."autogen"

stream
    |from()
        .measurement('cpu')
    |window()
        .period('5m')
        .every(10)
"#,
);

fn main() {}
