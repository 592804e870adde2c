//! The input → output pairs of Kapacitor 1.5.7's formatter test (`tick/fmt_test.go`): the
//! layout the formatter must reproduce exactly.

use super::{assert_contract, format_source};

/// (script, Kapacitor's formatted output). Trailing spaces and tabs in the scripts are part of
/// the cases.
const CASES: &[(&str, &str)] = &[
    (
        r#"var x = 1"#,
        r#"var x = 1
"#,
    ),
    (
        r#"var x=1"#,
        r#"var x = 1
"#,
    ),
    (
        r#"var x=1.0"#,
        r#"var x = 1.0
"#,
    ),
    (
        r#"var x=01"#,
        r#"var x = 01
"#,
    ),
    (
        r#"var x=0600"#,
        r#"var x = 0600
"#,
    ),
    (
        r#"var x=1m"#,
        r#"var x = 1m
"#,
    ),
    (
        r#"var x=60s"#,
        r#"var x = 60s
"#,
    ),
    (
        r#"var x= /.*/"#,
        r#"var x = /.*/
"#,
    ),
    (
        r#"var x= /^\/root\//"#,
        r#"var x = /^\/root\//
"#,
    ),
    (
        r#"var x=stream()|window().period(10s).every(10s)"#,
        r#"var x = stream()
    |window()
        .period(10s)
        .every(10s)
"#,
    ),
    (
        r#"var x = stream()
//Window data  
|window()
// Period / Every 10s
.period(10s).every(10s)"#,
        r#"var x = stream()
    // Window data
    |window()
        // Period / Every 10s
        .period(10s)
        .every(10s)
"#,
    ),
    (
        r#"var x = stream()
@udf()
    .option(
        // Param 1
        1,
        // Param 2
        2,
        // Param 3
        3,
        // Param 4
        4,
                )
"#,
        r#"var x = stream()
    @udf()
        .option(
            // Param 1
            1,
            // Param 2
            2,
            // Param 3
            3,
            // Param 4
            4
        )
"#,
    ),
    (
        r#"global(lambda: ("a" + (1)) / (( 4 +"b") * ("c")))"#,
        r#"global(lambda: ("a" + 1) / ((4 + "b") * "c"))
"#,
    ),
    (
        r#"global(lambda: (1 + 2 - 3 * 4 / 5) < (sin(6)) AND (TRUE OR FALSE))"#,
        r#"global(lambda: (1 + 2 - 3 * 4 / 5) < sin(6) AND (TRUE OR FALSE))
"#,
    ),
    (
        r#"global(lambda: 
(1 + 2 - 3 * 4 / 5) 
< 
(sin(6))
AND 
(TRUE
OR (FALSE 
AND TRUE)))"#,
        r#"global(lambda: (1 + 2 - 3 * 4 / 5) <
    sin(6) AND
    (TRUE OR
        (FALSE AND
            TRUE)))
"#,
    ),
    (
        r#"global(lambda: 
// If this
// is less than that
(1 + 2 - 3 * 4 / 5) 
< (sin(6))
AND 
// more comments.
(TRUE OR FALSE), 'arg',)"#,
        r#"global(
    lambda: 
    // If this
    // is less than that
    (1 + 2 - 3 * 4 / 5) <
    sin(6) AND
    // more comments.
    (TRUE OR FALSE),
    'arg'
)
"#,
    ),
    (
        r#"// Preserve comments spacing

// Comment block 1
// still 1

// Comment block 2
// still 2

// Preserve per line spacing
//     indented
//fix this line
//


var x = stream
	|from()
		//.measurement('mem')
		.measurement('cpu')

// This should be its own comment block
x |alert()
	

"#,
        r#"// Preserve comments spacing

// Comment block 1
// still 1

// Comment block 2
// still 2

// Preserve per line spacing
//     indented
// fix this line
//
var x = stream
    |from()
        // .measurement('mem')
        .measurement('cpu')

// This should be its own comment block
x
    |alert()
"#,
    ),
    (
        r#"// Comment all the things
var 
x = 
stream()
// 1
|
udf()
// 2
    .option(
        // 3
        1,
        // 4
        2.0,
        // 5
        3h,
        // 6
        'a',
    )
// 7
|
eval(
// 8
lambda:
a * b + c
,
)
// 9
|
groupBy(
//10 
*
)
// 11
"#,
        r#"// Comment all the things
var x = stream()
    // 1
    |udf()
        // 2
        .option(
            // 3
            1,
            // 4
            2.0,
            // 5
            3h,
            // 6
            'a'
        )
    // 7
    |eval(
        // 8
        lambda: a * b + c
    )
    // 9
    |groupBy(
        // 10
        *
    )

// 11

"#,
    ),
    (
        r#"
			// Define a result that contains the most recent score per player.
var topPlayerScores = stream
    |from().measurement('scores')
    // Get the most recent score for each player per game.
// Not likely that a player is playing two games but just in case.
.groupBy('game', 'player')
    |window()
        // keep a buffer of the last 11s of scores
        // just in case a player score hasn't updated in a while
        .period(11s)
        // Emit the current score per player every second.
.every(1s)
        // Align the window boundaries to be on the second.
.align()
    |last('value')

// Calculate the top 15 scores per game
var topScores = topPlayerScores
    |groupBy('game')
    |top(15, 'last', 'player')

// Expose top scores over the HTTP API at the 'top_scores' endpoint.
// Now your app can just request the top scores from Kapacitor
// and always get the most recent result.
//
// http://localhost:9092/api/v1/top_scores/top_scores
topScores
   |httpOut('top_scores')

// Sample the top scores and keep a score once every 10s
var topScoresSampled = topScores
    |sample(10s)

// Store top fifteen player scores in InfluxDB.
topScoresSampled
    |influxDBOut()
        .database('game')
        .measurement('top_scores')

// Calculate the max and min of the top scores.
var max = topScoresSampled
    |max('top')
var min = topScoresSampled
    |min('top')

// Join the max and min streams back together and calculate the gap.
max|join(min)
        .as('max', 'min')
    // calculate the difference between the max and min scores.
|eval(lambda: "max.max" - "min.min", lambda: "max.max", lambda: "min.min")
        .as('gap', 'topFirst', 'topLast')
    // store the fields: gap, topFirst, and topLast in InfluxDB.
|influxDBOut()
        .database('game')
        .measurement('top_scores_gap')
"#,
        r#"// Define a result that contains the most recent score per player.
var topPlayerScores = stream
    |from()
        .measurement('scores')
        // Get the most recent score for each player per game.
        // Not likely that a player is playing two games but just in case.
        .groupBy('game', 'player')
    |window()
        // keep a buffer of the last 11s of scores
        // just in case a player score hasn't updated in a while
        .period(11s)
        // Emit the current score per player every second.
        .every(1s)
        // Align the window boundaries to be on the second.
        .align()
    |last('value')

// Calculate the top 15 scores per game
var topScores = topPlayerScores
    |groupBy('game')
    |top(15, 'last', 'player')

// Expose top scores over the HTTP API at the 'top_scores' endpoint.
// Now your app can just request the top scores from Kapacitor
// and always get the most recent result.
//
// http://localhost:9092/api/v1/top_scores/top_scores
topScores
    |httpOut('top_scores')

// Sample the top scores and keep a score once every 10s
var topScoresSampled = topScores
    |sample(10s)

// Store top fifteen player scores in InfluxDB.
topScoresSampled
    |influxDBOut()
        .database('game')
        .measurement('top_scores')

// Calculate the max and min of the top scores.
var max = topScoresSampled
    |max('top')

var min = topScoresSampled
    |min('top')

// Join the max and min streams back together and calculate the gap.
max
    |join(min)
        .as('max', 'min')
    // calculate the difference between the max and min scores.
    |eval(lambda: "max.max" - "min.min", lambda: "max.max", lambda: "min.min")
        .as('gap', 'topFirst', 'topLast')
    // store the fields: gap, topFirst, and topLast in InfluxDB.
    |influxDBOut()
        .database('game')
        .measurement('top_scores_gap')
"#,
    ),
];

#[test]
fn formats_like_kapacitor() {
    for (i, (script, expected)) in CASES.iter().enumerate() {
        let got = format_source(script);
        assert_eq!(got, *expected, "case {i}:\n{script}");
    }
}

#[test]
fn kapacitor_cases_keep_the_contract() {
    for (script, _) in CASES {
        assert_contract(script);
    }
}
