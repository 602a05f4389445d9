"""A loopback OTLP/HTTP receiver for the telemetry test: decodes what Errand exports with
the official opentelemetry-proto package and writes one JSON object per span or log
record to the file named on the command line. Prints its port, then serves until killed."""
import json
import sys
from http.server import BaseHTTPRequestHandler, HTTPServer

from google.protobuf import json_format
from opentelemetry.proto.collector.logs.v1 import logs_service_pb2
from opentelemetry.proto.collector.trace.v1 import trace_service_pb2

OUT = sys.argv[1]


def value(v):
    kind = v.WhichOneof("value")
    return getattr(v, kind) if kind else None


def attributes(items):
    return {a.key: value(a.value) for a in items}


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        is_json = "json" in (self.headers.get("Content-Type") or "")

        def parse(message):
            # OTLP/HTTP carries protobuf, or its JSON mapping with http/json.
            if is_json:
                json_format.Parse(body, message, ignore_unknown_fields=True)
            else:
                message.ParseFromString(body)

        rows = []
        if self.path == "/v1/traces":
            request = trace_service_pb2.ExportTraceServiceRequest()
            parse(request)
            reply = trace_service_pb2.ExportTraceServiceResponse()
            for resource in request.resource_spans:
                service = attributes(resource.resource.attributes).get("service.name")
                for scope in resource.scope_spans:
                    for span in scope.spans:
                        rows.append({
                            "kind": "span", "service": service, "name": span.name,
                            "trace_id": span.trace_id.hex(), "span_id": span.span_id.hex(),
                            "parent_span_id": span.parent_span_id.hex(),
                            "start": span.start_time_unix_nano, "end": span.end_time_unix_nano,
                            "status": span.status.code, "attributes": attributes(span.attributes),
                        })
        elif self.path == "/v1/logs":
            request = logs_service_pb2.ExportLogsServiceRequest()
            parse(request)
            reply = logs_service_pb2.ExportLogsServiceResponse()
            for resource in request.resource_logs:
                for scope in resource.scope_logs:
                    for record in scope.log_records:
                        rows.append({
                            "kind": "log", "event_name": record.event_name,
                            "trace_id": record.trace_id.hex(), "time": record.time_unix_nano,
                            "attributes": attributes(record.attributes),
                            "body": value(record.body),
                        })
        else:
            self.send_response(404)
            self.end_headers()
            return
        with open(OUT, "a") as f:
            for row in rows:
                f.write(json.dumps(row) + "\n")
        data = json_format.MessageToJson(reply).encode() if is_json else reply.SerializeToString()
        self.send_response(200)
        self.send_header("Content-Type", "application/json" if is_json else "application/x-protobuf")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


server = HTTPServer(("127.0.0.1", 0), Handler)
print(server.server_address[1], flush=True)
server.serve_forever()
