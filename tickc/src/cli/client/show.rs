//! `tickc show ID`: a task printed line for line as `kapacitor show` prints it.

use jiff::tz::TimeZone;
use serde_json::Value;

use tick_runtime::time::format_go_duration as duration;

use super::go_format::{dbrps, float, rfc822};
use crate::client::{Client, ClientError, Task, Var, VarType};

pub fn run(client: &Client, id: &str, dot_only: bool) -> Result<(), ClientError> {
    let task = client.task(id)?;
    if dot_only {
        println!("{}", task.dot);
    } else {
        print!("{}", render(&task));
    }
    Ok(())
}

/// The times print in the zone they came in, as Go keeps it: UTC from Kapacitor.
fn render(task: &Task) -> String {
    let utc = TimeZone::UTC;
    let mut out = format!("ID: {}\n", task.id);
    out += &format!("Error: {}\n", task.error);
    out += &format!("Template: {}\n", task.template_id);
    out += &format!("Type: {}\n", task.kind);
    out += &format!("Status: {}\n", task.status);
    out += &format!("Executing: {}\n", task.executing);
    out += &format!("Created: {}\n", rfc822(task.created, &utc));
    out += &format!("Modified: {}\n", rfc822(task.modified, &utc));
    out += &format!("LastEnabled: {}\n", rfc822(task.last_enabled, &utc));
    out += &format!("Databases Retention Policies: {}\n", dbrps(&task.dbrps));
    out += &format!("TICKscript:\n{}\n", task.script);
    if !task.vars.is_empty() {
        out += "Vars:\n";
        out += &var_row("Name", "Type", "Value");
        for (name, var) in &task.vars {
            out += &var_row(name, var.kind.as_str(), &var_value(var));
        }
    }
    out += &format!("DOT:\n{}\n", task.dot);
    out
}

fn var_row(name: &str, kind: &str, value: &str) -> String {
    format!("{name:<30}{kind:<10}{value:<40}\n")
}

/// A variable's value as Go's `%v` prints what Kapacitor's client decodes it to.
fn var_value(var: &Var) -> String {
    match (var.kind, &var.value) {
        (VarType::Duration, Value::Number(n)) => n.as_i64().map_or_else(|| n.to_string(), duration),
        (VarType::Float, Value::Number(n)) => n.as_f64().map_or_else(|| n.to_string(), float),
        (VarType::List, Value::Array(items)) => {
            let items: Vec<String> = items
                .iter()
                .map(|item| match item.get("value") {
                    Some(Value::String(s)) => s.clone(),
                    _ => "*".to_owned(),
                })
                .collect();
            format!("[{}]", items.join(", "))
        }
        (_, Value::String(s)) => s.clone(),
        (_, Value::Null) => "<nil>".to_owned(),
        (_, other) => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vars_print_sorted_in_a_table_with_go_values() {
        let task: Task = serde_json::from_str(
            r#"{"id":"t","type":"stream","status":"disabled","script":"stream\n","dot":"digraph t {\n}",
                "created":"2026-11-25T21:48:22Z","modified":"2026-11-25T21:49:00Z",
                "last-enabled":"0001-01-01T00:00:00Z",
                "vars":{"window":{"type":"duration","value":300000000000},
                        "crit":{"type":"float","value":70},
                        "hosts":{"type":"list","value":[{"type":"string","value":"a"},{"type":"star"}]},
                        "where":{"type":"lambda","value":"\"host\" == 'a'"}}}"#,
        )
        .unwrap();
        insta::assert_snapshot!(render(&task), @r#"
        ID: t
        Error: 
        Template: 
        Type: stream
        Status: disabled
        Executing: false
        Created: 25 Nov 26 21:48 UTC
        Modified: 25 Nov 26 21:49 UTC
        LastEnabled: 01 Jan 01 00:00 UTC
        Databases Retention Policies: []
        TICKscript:
        stream

        Vars:
        Name                          Type      Value                                   
        crit                          float     70                                      
        hosts                         list      [a, *]                                  
        where                         lambda    "host" == 'a'                           
        window                        duration  5m0s                                    
        DOT:
        digraph t {
        }
        "#);
    }
}
