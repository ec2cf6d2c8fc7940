// Package dbconv is what the database client hooks share of the
// OpenTelemetry database semantic conventions
// (https://opentelemetry.io/docs/specs/semconv/db/), whatever the library:
//
//   - Info: db.system.name, db.namespace, server.address and server.port of
//     a database, from the driver (DriverSystem), the name a driver or
//     dialect goes by (SystemName), a DSN (ParseDSN) or a connector's
//     settings (ConnectorEndpoint);
//   - Info.Statement, Info.PreparedText, QueryText: db.query.text (sanitized
//     when sent without arguments), db.operation.name, db.query.summary and
//     the span name of a SQL statement, from one pass of a small lexer;
//   - IsError, ErrorAttributes: whether an error fails the span, and its
//     error.type and db.response.status_code;
//   - RecordDuration: the db.client.operation.duration histogram.
//
// It is a library for hook packages (database/sql, gorm, the Redis
// clients), never a hook package itself.
package dbconv
