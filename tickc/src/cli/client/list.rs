//! `tickc list tasks|recordings|replays [PATTERN]...`: tables laid out as Kapacitor's CLI lays
//! them out (columns padded with spaces, trailing ones included).

use jiff::tz::TimeZone;

use super::Kind;
use super::go_format::{bytes, dbrps, rfc822};
use crate::client::{Client, ClientError, Recording, Replay, Resource, Task};

pub fn run(client: &Client, kind: Kind, patterns: &[String]) -> Result<(), ClientError> {
    let table = match kind {
        Kind::Tasks => {
            let mut tasks: Vec<Task> =
                fetch(client, patterns, &["type", "status", "executing", "dbrps"])?;
            tasks.sort_by(|a, b| a.id.cmp(&b.id));
            tasks_table(&tasks)
        }
        // Recordings and replays come sorted from the server; Kapacitor's CLI keeps its order.
        Kind::Recordings => recordings_table(
            &fetch(client, patterns, &["type", "size", "date", "status"])?,
            &TimeZone::system(),
        ),
        Kind::Replays => replays_table(
            &fetch(
                client,
                patterns,
                &["task", "recording", "status", "clock", "date"],
            )?,
            &TimeZone::system(),
        ),
    };
    print!("{table}");
    Ok(())
}

/// Everything matching any of `patterns` (everything when there are none).
fn fetch<R: Resource>(
    client: &Client,
    patterns: &[String],
    fields: &[&str],
) -> Result<Vec<R>, ClientError> {
    let all = [String::new()];
    let patterns = if patterns.is_empty() {
        &all[..]
    } else {
        patterns
    };
    let mut found = Vec::new();
    for pattern in patterns {
        found.extend(client.list::<R>(pattern, fields)?);
    }
    Ok(found)
}

/// The width of a column: its longest entry or its header, plus one space.
fn width<'a>(header: &str, values: impl Iterator<Item = &'a str>) -> usize {
    values
        .map(|v| v.chars().count())
        .fold(header.len(), usize::max)
        + 1
}

fn tasks_table(tasks: &[Task]) -> String {
    let id = width("ID", tasks.iter().map(|t| t.id.as_str()));
    let mut out = format!(
        "{:<id$}{:<10}{:<10}{:<10}{}\n",
        "ID", "Type", "Status", "Executing", "Databases and Retention Policies"
    );
    for t in tasks {
        out += &format!(
            "{:<id$}{:<10}{:<10}{:<10}{}\n",
            t.id,
            t.kind,
            t.status,
            t.executing,
            dbrps(&t.dbrps)
        );
    }
    out
}

fn recordings_table(recordings: &[Recording], zone: &TimeZone) -> String {
    let id = width("ID", recordings.iter().map(|r| r.id.as_str()));
    let mut out = format!(
        "{:<id$}{:<8}{:<10}{:<10}{:<23}\n",
        "ID", "Type", "Status", "Size", "Date"
    );
    for r in recordings {
        let date = rfc822(r.date, zone);
        out += &format!(
            "{:<id$}{:<8}{:<10}{:<10}{:<23}\n",
            r.id,
            r.kind,
            r.status,
            bytes(r.size),
            date
        );
    }
    out
}

fn replays_table(replays: &[Replay], zone: &TimeZone) -> String {
    let id = width("ID", replays.iter().map(|r| r.id.as_str()));
    let task = width("Task", replays.iter().map(|r| r.task.as_str()));
    let recording = width("Recording", replays.iter().map(|r| r.recording.as_str()));
    let row = |cells: [&str; 6]| {
        let [i, t, r, status, clock, date] = cells;
        format!("{i:<id$}{t:<task$}{r:<recording$}{status:<9}{clock:<8}{date:<23}\n")
    };
    let mut out = row(["ID", "Task", "Recording", "Status", "Clock", "Date"]);
    for r in replays {
        let date = rfc822(r.date, zone);
        out += &row([
            &r.id,
            &r.task,
            &r.recording,
            r.status.as_str(),
            r.clock.as_str(),
            &date,
        ]);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode<T: serde::de::DeserializeOwned>(json: &str) -> Vec<T> {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn tasks_are_sorted_and_padded_to_the_longest_id() {
        let tasks: Vec<Task> = decode(
            r#"[{"id":"top_cpu","type":"batch","status":"disabled","executing":false,"dbrps":[]},
                {"id":"cpu_alert","type":"stream","status":"enabled","executing":true,
                 "dbrps":[{"db":"telegraf","rp":"autogen"},{"db":"db2","rp":"rp2"}]}]"#,
        );
        insta::assert_snapshot!(tasks_table(&tasks), @r#"
        ID        Type      Status    Executing Databases and Retention Policies
        top_cpu   batch     disabled  false     []
        cpu_alert stream    enabled   true      ["telegraf"."autogen" "db2"."rp2"]
        "#);
        assert_eq!(
            tasks_table(&[]),
            "ID Type      Status    Executing Databases and Retention Policies\n"
        );
    }

    #[test]
    fn recordings_show_human_sizes_and_dates_in_the_zone() {
        let recordings: Vec<Recording> = decode(
            r#"[{"id":"r1","type":"stream","status":"running","size":1500,"date":"2026-11-25T21:48:35Z"}]"#,
        );
        let zone = TimeZone::get("Europe/Paris").unwrap();
        assert_eq!(
            recordings_table(&recordings, &zone),
            "ID Type    Status    Size      Date                   \nr1 stream  running   1.5 kB    25 Nov 26 22:48 CET    \n"
        );
    }

    #[test]
    fn replays_pad_id_task_and_recording_columns() {
        let replays: Vec<Replay> = decode(
            r#"[{"id":"p","task":"a_long_task_name","recording":"r","status":"failed","clock":"real","date":"2026-11-25T21:48:35Z"}]"#,
        );
        assert_eq!(
            replays_table(&replays, &TimeZone::UTC),
            "ID Task             Recording Status   Clock   Date                   \n\
             p  a_long_task_name r         failed   real    25 Nov 26 21:48 UTC    \n"
        );
    }
}
