//! What leaves a task in Kapacitor's shapes: result rows (httpPost, httpOut, alert data).

pub mod row;
