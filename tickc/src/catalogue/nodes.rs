//! The node table: every chain method of Kapacitor 1.5 (plus the few 1.6 additions) with its
//! arguments, edge kinds and properties, as read from Kapacitor's `pipeline/*.go`. Properties
//! Kapacitor marks `tick:ignore` (internal fields that reflection happens to expose) are left out.

use super::*;
use ArgType as T;

/// The properties of `|alert()`, shared with `|deadman()` which returns an alert node.
// One entry per line reads as a table; rustfmt would spread each over several.
#[rustfmt::skip]
const ALERT_PROPERTIES: &[PropertySpec] = &[
    PropertySpec::value("id", T::String, "Template of the alert id (default `{{ .Name }}:{{ .Group }}`)."),
    PropertySpec::value("message", T::String, "Template of the message (default `{{ .ID }} is {{ .Level }}`)."),
    PropertySpec::value("details", T::String, "HTML template of the details (default `{{ json . }}`)."),
    PropertySpec::value("topic", T::String, "Publish events to this named topic."),
    PropertySpec::value("category", T::String, "Category of the events, matched by `.inhibit()`."),
    PropertySpec::value("info", T::Lambda, "Condition for the INFO level."),
    PropertySpec::value("warn", T::Lambda, "Condition for the WARNING level."),
    PropertySpec::value("crit", T::Lambda, "Condition for the CRITICAL level."),
    PropertySpec::value("infoReset", T::Lambda, "Condition that must hold to leave INFO."),
    PropertySpec::value("warnReset", T::Lambda, "Condition that must hold to leave WARNING."),
    PropertySpec::value("critReset", T::Lambda, "Condition that must hold to leave CRITICAL."),
    PropertySpec::new(
        "flapping",
        Signature::of(&[p("low", T::Float), p("high", T::Float)]),
        "Suppress events while the state flaps (thresholds in [0, 1]).",
    ),
    PropertySpec::value("history", T::Int, "Number of states kept for flap detection (default 21, min 2)."),
    PropertySpec::value("levelTag", T::String, "Tag that receives the level on emitted data."),
    PropertySpec::value("levelField", T::String, "Field that receives the level on emitted data."),
    PropertySpec::value("messageField", T::String, "Field that receives the message on emitted data."),
    PropertySpec::value("durationField", T::String, "Field that receives the alert duration (ns)."),
    PropertySpec::value("idTag", T::String, "Tag that receives the alert id on emitted data."),
    PropertySpec::value("idField", T::String, "Field that receives the alert id on emitted data."),
    PropertySpec::flag("all", "Batch level is the lowest level among its points."),
    PropertySpec::flag("noRecoveries", "Do not send OK (recovery) events."),
    PropertySpec::new(
        "stateChangesOnly",
        Signature::of(&[opt("maxInterval", T::Duration)]),
        "Send events only on level changes (or every maxInterval).",
    ),
    PropertySpec::new(
        "inhibit",
        Signature::variadic(&[p("category", T::String)], T::String),
        "Drop events while an alert of the category with equal tags is active.",
    )
    .accumulating(),
];

/// The properties of every InfluxQL node.
#[rustfmt::skip]
const INFLUXQL_PROPERTIES: &[PropertySpec] = &[
    PropertySpec::value("as", T::String, "Name of the result field (default: the method name)."),
    // Kapacitor accepts it on every InfluxQL node; it only changes selectors and top/bottom.
    PropertySpec::flag("usePointTimes", "Use the selected point's time instead of the batch time."),
];

/// The properties of the three autoscale nodes, followed by each one's own.
macro_rules! autoscale_properties {
    ($($own:expr),* $(,)?) => {
        &[
            PropertySpec::value("cluster", T::String, "Name of the configured cluster."),
            PropertySpec::value("currentField", T::String, "Field holding the current replica count."),
            PropertySpec::value("max", T::Int, "Maximum replica count (0 = unlimited)."),
            PropertySpec::value("min", T::Int, "Minimum replica count (default 1)."),
            PropertySpec::value("replicas", T::Lambda, "Expression computing the desired replica count."),
            PropertySpec::value("increaseCooldown", T::Duration, "Minimum time between scale-ups."),
            PropertySpec::value("decreaseCooldown", T::Duration, "Minimum time between scale-downs."),
            $($own,)*
        ]
    };
}

/// An InfluxQL chain method: its own name is its DOT name, it works on either edge.
const fn influxql(
    name: &'static str,
    args: Signature,
    provides: Provides,
    doc: &'static str,
) -> NodeSpec {
    NodeSpec::chain(name, name, Wants::Any, provides, doc)
        .family(NodeFamily::InfluxQl)
        .args(args)
        .properties(INFLUXQL_PROPERTIES)
}

const FIELD: Signature = Signature::of(&[p("field", T::String)]);
const TOP_BOTTOM: Signature = Signature::variadic(&[p("num", T::Int), p("field", T::String)], T::String);
const HOLT_WINTERS: Signature =
    Signature::of(&[p("field", T::String), p("h", T::Int), p("m", T::Int), p("interval", T::Duration)]);

#[rustfmt::skip]
pub static NODES: &[NodeSpec] = &[
    // Roots.
    NodeSpec {
        name: "stream",
        desc: "stream",
        family: NodeFamily::Source,
        args: Signature::NONE,
        wants: Wants::Nothing,
        provides: Provides::Stream,
        parents: Parents::Only(&[]),
        properties: &[],
        has_handlers: false,
        since: Since::V1_5,
        doc: "The root of a stream task: every point written to the task's databases.",
    },
    NodeSpec {
        name: "batch",
        desc: "batch",
        family: NodeFamily::Source,
        args: Signature::NONE,
        wants: Wants::Nothing,
        provides: Provides::Batch,
        parents: Parents::Only(&[]),
        properties: &[],
        has_handlers: false,
        since: Since::V1_5,
        doc: "The root of a batch task: the results of its scheduled queries.",
    },
    // Sources' own children.
    NodeSpec::chain("from", "from", Wants::Stream, Provides::Stream, "Select points of the stream.")
        .parents(Parents::Only(&["stream", "from"]))
        .properties(&[
            PropertySpec::value("database", T::String, "Keep points of this database only."),
            PropertySpec::value("retentionPolicy", T::String, "Keep points of this retention policy only."),
            PropertySpec::value("measurement", T::String, "Keep points of this measurement only."),
            PropertySpec::value("where", T::Lambda, "Keep points matching the predicate (calls are ANDed).")
                .accumulating(),
            PropertySpec::new(
                "groupBy",
                Signature::variadic(&[], T::StringOrStar),
                "Group by these tags, or `*` for all.",
            ),
            PropertySpec::flag("groupByMeasurement", "Include the measurement in the group."),
            PropertySpec::value("truncate", T::Duration, "Truncate point times to this precision."),
            PropertySpec::value("round", T::Duration, "Round point times to this precision."),
        ]),
    NodeSpec::chain("query", "query", Wants::Batch, Provides::Batch, "Query InfluxDB periodically.")
        .parents(Parents::Only(&["batch"]))
        .args(Signature::of(&[p("query", T::String)]))
        .properties(&[
            PropertySpec::value("period", T::Duration, "Time range covered by each query."),
            PropertySpec::value("every", T::Duration, "Run the query this often."),
            PropertySpec::flag("align", "Align query times to multiples of every."),
            PropertySpec::value("cron", T::String, "Run the query on this cron schedule."),
            PropertySpec::value("offset", T::Duration, "Shift the queried range back in time."),
            PropertySpec::flag("alignGroup", "Align the group-by time buckets to the query start."),
            PropertySpec::new(
                "groupBy",
                Signature::variadic(&[], T::Dimension),
                "Add a GROUP BY of `time(d[, offset])`, tags or `*`.",
            ),
            PropertySpec::flag("groupByMeasurement", "Include the measurement in the group."),
            PropertySpec::value("fill", T::Fill, "Fill empty intervals: null, none, previous, linear or a number."),
            PropertySpec::value("cluster", T::String, "Name of the InfluxDB cluster to query."),
        ]),
    NodeSpec::chain("queryFlux", "queryFlux", Wants::Batch, Provides::Batch, "Run a Flux query periodically.")
        .parents(Parents::Only(&["batch"]))
        .args(Signature::of(&[p("query", T::String)]))
        .properties(&[
            PropertySpec::value("period", T::Duration, "Time range covered by each query."),
            PropertySpec::value("every", T::Duration, "Run the query this often."),
            PropertySpec::flag("align", "Align query times to multiples of every."),
            PropertySpec::value("cron", T::String, "Run the query on this cron schedule."),
            PropertySpec::value("offset", T::Duration, "Shift the queried range back in time."),
            PropertySpec::value("cluster", T::String, "Name of the InfluxDB cluster to query."),
            PropertySpec::value("org", T::String, "InfluxDB organization name."),
            PropertySpec::value("orgID", T::String, "InfluxDB organization id."),
        ])
        .since(Since::V1_6),
    // Methods of every node.
    NodeSpec::chain("stats", "stats", Wants::Any, Provides::Stream, "Emit the node's throughput every interval (wall clock).")
        .parents(Parents::Any)
        .args(Signature::of(&[p("interval", T::Duration)]))
        .properties(&[PropertySpec::flag("align", "Align emission times to multiples of the interval.")]),
    // Expands to stats → derivative → alert and returns that alert, hence its DOT name.
    NodeSpec::chain("deadman", "alert", Wants::Any, Provides::Stream, "Alert when throughput drops to the threshold.")
        .parents(Parents::Any)
        .args(Signature::variadic(&[p("threshold", T::Float), p("interval", T::Duration)], T::Lambda))
        .properties(ALERT_PROPERTIES)
        .with_handlers(),
    // Chain nodes.
    NodeSpec::chain("where", "where", Wants::Any, Provides::SameAsInput, "Keep points matching the predicate.")
        .args(Signature::of(&[p("predicate", T::Lambda)])),
    NodeSpec::chain("eval", "eval", Wants::Any, Provides::SameAsInput, "Compute fields from expressions.")
        .args(Signature::variadic(&[], T::Lambda))
        .properties(&[
            PropertySpec::new("as", Signature::variadic(&[], T::String), "Names of the results, one per expression."),
            PropertySpec::new("tags", Signature::variadic(&[], T::String), "Results (by `.as` name) stored as tags."),
            PropertySpec::new("keep", Signature::variadic(&[], T::String), "Keep existing fields (all, or those listed)."),
        ]),
    NodeSpec::chain("groupBy", "groupby", Wants::Any, Provides::SameAsInput, "Regroup by tags; only those tags are kept.")
        .args(Signature::variadic(&[], T::StringOrStar))
        .properties(&[
            PropertySpec::flag("byMeasurement", "Include the measurement in the group."),
            PropertySpec::new("exclude", Signature::variadic(&[], T::String), "Tags left out of `*`.")
                .accumulating(),
        ]),
    NodeSpec::chain("window", "window", Wants::Stream, Provides::Batch, "Cut the stream into batches.")
        .properties(&[
            PropertySpec::value("period", T::Duration, "Time span of each window."),
            PropertySpec::value("every", T::Duration, "Emit a window this often."),
            PropertySpec::flag("align", "Align window edges to multiples of every."),
            PropertySpec::flag("fillPeriod", "Wait for a full period before the first emit."),
            PropertySpec::value("periodCount", T::Int, "Number of points in each window."),
            PropertySpec::value("everyCount", T::Int, "Emit a window every this many points."),
        ]),
    NodeSpec::chain("union", "union", Wants::Any, Provides::SameAsInput, "Merge the data of several nodes.")
        .args(Signature::variadic(&[], T::Node))
        .properties(&[PropertySpec::value("rename", T::String, "New measurement name of the merged data.")]),
    NodeSpec::chain("join", "join", Wants::Any, Provides::SameAsInput, "Join data of several nodes on time.")
        .args(Signature::variadic(&[], T::Node))
        .properties(&[
            PropertySpec::new("as", Signature::variadic(&[], T::String), "Field prefixes, one per joined node."),
            PropertySpec::new("on", Signature::variadic(&[], T::String), "Join on these tags only."),
            PropertySpec::value("delimiter", T::String, "Separator of prefix and field name (default `.`)."),
            PropertySpec::value("streamName", T::String, "Measurement name of the joined data."),
            PropertySpec::value("tolerance", T::Duration, "Round times to this precision before matching."),
            PropertySpec::value("fill", T::Fill, "Missing values: none (inner join), null or a number."),
            PropertySpec::value("deleteAll", T::Bool, "Forget all groups on a barrier.").since(Since::V1_6),
        ]),
    NodeSpec::chain("combine", "combine", Wants::Any, Provides::Stream, "Combine points of equal time pairwise.")
        .args(Signature::variadic(&[], T::Lambda))
        .properties(&[
            PropertySpec::new("as", Signature::variadic(&[], T::String), "Field prefixes, one per expression."),
            PropertySpec::value("delimiter", T::String, "Separator of prefix and field name (default `.`)."),
            PropertySpec::value("tolerance", T::Duration, "Round times to this precision before matching."),
            PropertySpec::value("max", T::Int, "Maximum number of combinations (default 1000000)."),
        ]),
    NodeSpec::chain("flatten", "flatten", Wants::Any, Provides::SameAsInput, "Flatten points of equal time into one.")
        .properties(&[
            PropertySpec::new("on", Signature::variadic(&[], T::String), "Tags whose values prefix the fields."),
            PropertySpec::value("delimiter", T::String, "Separator of the name parts (default `.`)."),
            PropertySpec::value("tolerance", T::Duration, "Round times to this precision before matching."),
            PropertySpec::new(
                "dropOriginalFieldName",
                Signature::of(&[opt("drop", T::Bool)]),
                "Name fields by tag values only.",
            ),
        ]),
    NodeSpec::chain("derivative", "derivative", Wants::Any, Provides::SameAsInput, "Rate of change of a field.")
        .args(FIELD)
        .properties(&[
            PropertySpec::value("as", T::String, "Name of the result field (default: the input field)."),
            PropertySpec::value("unit", T::Duration, "Time unit of the rate (default 1s)."),
            PropertySpec::flag("nonNegative", "Drop negative rates."),
        ]),
    NodeSpec::chain("changeDetect", "changeDetect", Wants::Any, Provides::SameAsInput, "Keep points whose fields changed.")
        .args(Signature::variadic(&[], T::String)),
    NodeSpec::chain("sample", "sample", Wants::Any, Provides::SameAsInput, "Keep every Nth point or one per duration.")
        .args(Signature::of(&[p("rate", T::IntOrDuration)])),
    NodeSpec::chain("shift", "shift", Wants::Any, Provides::SameAsInput, "Shift times by a duration.")
        .args(Signature::of(&[p("shift", T::Duration)])),
    NodeSpec::chain("default", "default", Wants::Any, Provides::SameAsInput, "Set missing fields and tags.")
        .properties(&[
            PropertySpec::new(
                "field",
                Signature::of(&[p("name", T::String), p("value", T::Scalar)]),
                "Default value of a field.",
            )
            .accumulating(),
            PropertySpec::new(
                "tag",
                Signature::of(&[p("name", T::String), p("value", T::String)]),
                "Default value of a tag.",
            )
            .accumulating(),
        ]),
    NodeSpec::chain("delete", "delete", Wants::Any, Provides::SameAsInput, "Remove fields and tags.")
        .properties(&[
            PropertySpec::value("field", T::String, "Field to remove.").accumulating(),
            PropertySpec::value("tag", T::String, "Tag to remove.").accumulating(),
        ]),
    NodeSpec::chain("log", "log", Wants::Any, Provides::SameAsInput, "Log the data passing through.")
        .properties(&[
            PropertySpec::value("level", T::String, "Log level: DEBUG, INFO (default), WARN or ERROR."),
            PropertySpec::value("prefix", T::String, "Prefix of each log line."),
        ]),
    NodeSpec::chain("httpOut", "http_out", Wants::Any, Provides::SameAsInput, "Serve the latest data over HTTP.")
        .args(Signature::of(&[p("endpoint", T::String)])),
    NodeSpec::chain("httpPost", "http_post", Wants::Any, Provides::SameAsInput, "POST the data to a URL.")
        .args(Signature::of(&[opt("url", T::String)]))
        .properties(&[
            PropertySpec::value("endpoint", T::String, "Name of a configured httppost endpoint.").accumulating(),
            PropertySpec::new(
                "header",
                Signature::of(&[p("name", T::String), p("value", T::String)]),
                "HTTP header of the request.",
            )
            .accumulating(),
            PropertySpec::value("codeField", T::String, "Field that receives the response status code."),
            PropertySpec::flag("captureResponse", "Log the response body on failure."),
            PropertySpec::value("timeout", T::Duration, "Request timeout."),
        ]),
    NodeSpec::chain("influxDBOut", "influxdb_out", Wants::Any, Provides::Nothing, "Write the data to InfluxDB.")
        .properties(&[
            PropertySpec::value("cluster", T::String, "Name of the InfluxDB cluster."),
            PropertySpec::value("database", T::String, "Target database."),
            PropertySpec::value("retentionPolicy", T::String, "Target retention policy."),
            PropertySpec::value("measurement", T::String, "Measurement name (default: the data's)."),
            PropertySpec::value("writeConsistency", T::String, "Write consistency level."),
            PropertySpec::value("precision", T::String, "Time precision of the writes."),
            PropertySpec::value("buffer", T::Int, "Points buffered before a write (default 1000)."),
            PropertySpec::value("flushInterval", T::Duration, "Longest time between writes (default 10s)."),
            PropertySpec::new(
                "tag",
                Signature::of(&[p("key", T::String), p("value", T::String)]),
                "Static tag added to every point.",
            )
            .accumulating(),
            PropertySpec::flag("create", "Create the database and retention policy if missing."),
        ]),
    NodeSpec::chain("kapacitorLoopback", "kapacitor_loopback", Wants::Any, Provides::Nothing, "Write the data back into Kapacitor.")
        .properties(&[
            PropertySpec::value("database", T::String, "Target database (required)."),
            PropertySpec::value("retentionPolicy", T::String, "Target retention policy (required)."),
            PropertySpec::value("measurement", T::String, "Measurement name (default: the data's)."),
            PropertySpec::new(
                "tag",
                Signature::of(&[p("key", T::String), p("value", T::String)]),
                "Static tag added to every point.",
            )
            .accumulating(),
        ]),
    NodeSpec::chain("alert", "alert", Wants::Any, Provides::SameAsInput, "Raise alerts by level conditions.")
        .properties(ALERT_PROPERTIES)
        .with_handlers(),
    NodeSpec::chain("stateDuration", "state_duration", Wants::Any, Provides::SameAsInput, "How long a condition has held.")
        .args(Signature::of(&[p("predicate", T::Lambda)]))
        .properties(&[
            PropertySpec::value("as", T::String, "Name of the result field (default `state_duration`)."),
            PropertySpec::value("unit", T::Duration, "Time unit of the result (default 1s)."),
        ]),
    NodeSpec::chain("stateCount", "state_count", Wants::Any, Provides::SameAsInput, "How many points in a row a condition held.")
        .args(Signature::of(&[p("predicate", T::Lambda)]))
        .properties(&[PropertySpec::value("as", T::String, "Name of the result field (default `state_count`).")]),
    NodeSpec::chain("barrier", "barrier", Wants::Any, Provides::SameAsInput, "Emit barriers on idle time or period (wall clock).")
        .properties(&[
            PropertySpec::value("idle", T::Duration, "Emit a barrier after a group is idle this long."),
            PropertySpec::value("period", T::Duration, "Emit a barrier this often."),
            PropertySpec::value("delete", T::Bool, "Delete the group's state on a barrier."),
        ]),
    NodeSpec::chain("trickle", "trickle", Wants::Batch, Provides::Stream, "Turn batches into a stream of points.")
        .since(Since::V1_6),
    NodeSpec::chain("sideload", "sideload", Wants::Any, Provides::SameAsInput, "Add fields and tags from external files.")
        .properties(&[
            PropertySpec::value("source", T::String, "Where the files are (file:// URL or endpoint)."),
            PropertySpec::new("order", Signature::variadic(&[], T::String), "File paths to search, templated by tags."),
            PropertySpec::new(
                "field",
                Signature::of(&[p("name", T::String), p("default", T::Scalar)]),
                "Field to load, with its default.",
            )
            .accumulating(),
            PropertySpec::new(
                "tag",
                Signature::of(&[p("name", T::String), p("default", T::String)]),
                "Tag to load, with its default.",
            )
            .accumulating(),
        ]),
    NodeSpec::chain("k8sAutoscale", "k8s_autoscale", Wants::Any, Provides::Stream, "Scale a Kubernetes resource.")
        .properties(autoscale_properties![
            PropertySpec::value("namespace", T::String, "Namespace of the resource."),
            PropertySpec::value("kind", T::String, "deployments (default), replicasets or replicationcontrollers."),
            PropertySpec::value("resourceName", T::String, "Name of the resource to scale."),
            PropertySpec::value("resourceNameTag", T::String, "Tag holding the name of the resource."),
            PropertySpec::value("namespaceTag", T::String, "Output tag of the namespace (default `namespace`)."),
            PropertySpec::value("kindTag", T::String, "Output tag of the kind (default `kind`)."),
            PropertySpec::value("resourceTag", T::String, "Output tag of the resource (default `resource`)."),
        ]),
    NodeSpec::chain("swarmAutoscale", "swarm_autoscale", Wants::Any, Provides::Stream, "Scale a Docker Swarm service.")
        .properties(autoscale_properties![
            PropertySpec::value("serviceName", T::String, "Name of the service to scale."),
            PropertySpec::value("serviceNameTag", T::String, "Tag holding the name of the service."),
            PropertySpec::value("outputServiceNameTag", T::String, "Output tag of the service name."),
        ]),
    NodeSpec::chain("ec2Autoscale", "ec2_autoscale", Wants::Any, Provides::Stream, "Scale an AWS autoscaling group.")
        .properties(autoscale_properties![
            PropertySpec::value("groupName", T::String, "Name of the autoscaling group."),
            PropertySpec::value("groupNameTag", T::String, "Tag holding the name of the group."),
            PropertySpec::value("outputGroupNameTag", T::String, "Output tag of the group name."),
        ]),
    // InfluxQL aggregates: one point per batch (or per time on a stream).
    influxql("count", FIELD, Provides::Stream, "Number of values."),
    influxql("distinct", FIELD, Provides::Batch, "Distinct values."),
    influxql("mean", FIELD, Provides::Stream, "Arithmetic mean."),
    influxql("median", FIELD, Provides::Stream, "Median value."),
    influxql("mode", FIELD, Provides::Stream, "Most frequent value."),
    influxql("spread", FIELD, Provides::Stream, "Difference of max and min."),
    influxql("sum", FIELD, Provides::Stream, "Sum of the values."),
    influxql("stddev", FIELD, Provides::Stream, "Standard deviation."),
    // InfluxQL selectors.
    influxql("first", FIELD, Provides::Stream, "Oldest value."),
    influxql("last", FIELD, Provides::Stream, "Newest value."),
    influxql("min", FIELD, Provides::Stream, "Smallest value."),
    influxql("max", FIELD, Provides::Stream, "Largest value."),
    influxql(
        "percentile",
        Signature::of(&[p("field", T::String), p("percentile", T::Float)]),
        Provides::Stream,
        "Value at the percentile (no interpolation).",
    ),
    influxql("top", TOP_BOTTOM, Provides::Batch, "The num largest values, with the listed fields and tags."),
    influxql("bottom", TOP_BOTTOM, Provides::Batch, "The num smallest values, with the listed fields and tags."),
    // InfluxQL transformations: one output per input point.
    influxql(
        "elapsed",
        Signature::of(&[p("field", T::String), p("unit", T::Duration)]),
        Provides::SameAsInput,
        "Time between consecutive points, in units.",
    ),
    influxql("difference", FIELD, Provides::SameAsInput, "Difference from the previous value."),
    influxql(
        "movingAverage",
        Signature::of(&[p("field", T::String), p("window", T::Int)]),
        Provides::SameAsInput,
        "Mean of the last window values.",
    ),
    influxql("cumulativeSum", FIELD, Provides::SameAsInput, "Running sum of the values."),
    influxql("holtWinters", HOLT_WINTERS, Provides::Batch, "Holt-Winters forecast of h values, season m."),
    NodeSpec {
        desc: "holtWinters",
        ..influxql("holtWintersWithFit", HOLT_WINTERS, Provides::Batch, "Holt-Winters forecast plus the fitted values.")
    },
];
