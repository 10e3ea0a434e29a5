"""Reads mlop-sim's Locust CSVs the way Locust-reading tools do: csv.DictReader, float() on every
numeric column. Prints a JSON summary; any header mismatch or unparsable number raises (exit 1).
Usage: python3 read_locust_csv.py PREFIX"""
import csv, json, sys

PCT = ["50%", "66%", "75%", "80%", "90%", "95%", "98%", "99%", "99.9%", "99.99%", "100%"]
# Locust 2.x locust/stats.py: requests_csv_columns, stats_history_csv_columns, failures_columns, exceptions_columns
STATS = ["Type", "Name", "Request Count", "Failure Count", "Median Response Time", "Average Response Time",
         "Min Response Time", "Max Response Time", "Average Content Size", "Requests/s", "Failures/s"] + PCT
HISTORY = ["Timestamp", "User Count", "Type", "Name", "Requests/s", "Failures/s"] + PCT + [
    "Total Request Count", "Total Failure Count", "Total Median Response Time", "Total Average Response Time",
    "Total Min Response Time", "Total Max Response Time", "Total Average Content Size"]
FAILURES = ["Method", "Name", "Error", "Occurrences"]
EXCEPTIONS = ["Count", "Message", "Traceback", "Nodes"]
TEXT = {"Type", "Name", "Method", "Error", "Message", "Traceback", "Nodes"}


def read(path, header):
    with open(path, newline="") as f:
        reader = csv.DictReader(f)
        if reader.fieldnames != header:
            raise SystemExit(f"{path}: header {reader.fieldnames} != Locust's {header}")
        rows = []
        for row in reader:
            for col in header:
                if col not in TEXT:
                    row[col] = float(row[col])  # what such tools do; "N/A" would raise here
            rows.append(row)
        return rows


prefix = sys.argv[1]
stats = read(prefix + "_stats.csv", STATS)
history = read(prefix + "_stats_history.csv", HISTORY)
failures = read(prefix + "_failures.csv", FAILURES)
exceptions = read(prefix + "_exceptions.csv", EXCEPTIONS)
agg = [r for r in stats if r["Name"] == "Aggregated"][0]
agg_hist = [r for r in history if r["Name"] == "Aggregated"]
print(json.dumps({
    "stats_names": [r["Name"] for r in stats],
    "aggregated_count": agg["Request Count"],
    "aggregated_failures": agg["Failure Count"],
    "history_names": sorted({r["Name"] for r in history}),
    "history_last_total": agg_hist[-1]["Total Request Count"],
    "history_last_total_failures": agg_hist[-1]["Total Failure Count"],
    "history_last_total_max": agg_hist[-1]["Total Max Response Time"],
    "history_last_total_avg": agg_hist[-1]["Total Average Response Time"],
    "history_total_counts": [r["Total Request Count"] for r in agg_hist],
    "failures": [[r["Method"], r["Name"], r["Error"], r["Occurrences"]] for r in failures],
    "exceptions": [[r["Count"], r["Message"], r["Traceback"], r["Nodes"]] for r in exceptions],
}))
