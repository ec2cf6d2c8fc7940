package awssdk

import (
	"reflect"
	"sort"

	"go.opentelemetry.io/otel/attribute"
	semconv "go.opentelemetry.io/otel/semconv/v1.39.0"
)

// The service clients' input types are read by field name (Bucket, Key,
// TableName, ...), so that this package needs no service module: a program
// builds with the service modules it has, at their versions.

// field returns the exported field name of the struct *input points to,
// invalid if there is none.
func field(input any, name string) reflect.Value {
	v := reflect.ValueOf(input)
	if v.Kind() != reflect.Pointer || v.IsNil() || v.Elem().Kind() != reflect.Struct {
		return reflect.Value{}
	}
	return v.Elem().FieldByName(name)
}

// stringField returns the value of a *string or string field, "" if unset.
func stringField(input any, name string) string {
	f := field(input, name)
	if !f.IsValid() {
		return ""
	}
	if f.Kind() == reflect.Pointer {
		if f.IsNil() {
			return ""
		}
		f = f.Elem()
	}
	if f.Kind() != reflect.String {
		return ""
	}
	return f.String()
}

func s3Attributes(input any) []attribute.KeyValue {
	var attrs []attribute.KeyValue
	if bucket := stringField(input, "Bucket"); bucket != "" {
		attrs = append(attrs, semconv.AWSS3Bucket(bucket))
	}
	if key := stringField(input, "Key"); key != "" {
		attrs = append(attrs, semconv.AWSS3Key(key))
	}
	return attrs
}

func dynamoDBAttributes(input any) []attribute.KeyValue {
	if table := stringField(input, "TableName"); table != "" {
		return []attribute.KeyValue{semconv.AWSDynamoDBTableNames(table)}
	}
	// BatchGetItem, BatchWriteItem: the tables of RequestItems.
	if items := field(input, "RequestItems"); items.IsValid() && items.Kind() == reflect.Map && items.Type().Key().Kind() == reflect.String {
		names := make([]string, 0, items.Len())
		for _, k := range items.MapKeys() {
			names = append(names, k.String())
		}
		if len(names) > 0 {
			sort.Strings(names)
			return []attribute.KeyValue{semconv.AWSDynamoDBTableNames(names...)}
		}
	}
	return nil
}
