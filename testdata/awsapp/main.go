// awsapp calls S3, DynamoDB and SQS through the AWS SDK for Go v2 from its
// HTTP handlers, against the endpoint in AWS_ENDPOINT (an AWS-compatible
// server on loopback). At start-up it creates its bucket, table and queue
// (named by AWS_PREFIX). It contains no OpenTelemetry code.
//
//	GET /s3/put?key=K          PutObject, then 200
//	GET /s3/get?key=K          GetObject: 200 with the body, 404 for NoSuchKey
//	GET /dynamodb/put?id=I     PutItem
//	GET /dynamodb/get?id=I     GetItem: 200, 404 when there is no item
//	GET /dynamodb/batch        BatchWriteItem of two items
//	GET /dynamodb/query?id=I   Query (consistent, limit 5, projection id): the count
//	GET /sqs/send?body=B       SendMessage; the message ID
//	GET /sqs/receive           ReceiveMessage (waits up to 2 s), DeleteMessage
//	                           of each; the bodies, one a line
//	GET /background            HeadBucket with context.Background()
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
)

type app struct {
	s3       *s3.Client
	ddb      *dynamodb.Client
	sqs      *sqs.Client
	bucket   string
	table    string
	queueURL string
}

func main() {
	ctx := context.Background()
	endpoint := os.Getenv("AWS_ENDPOINT")
	prefix := os.Getenv("AWS_PREFIX")
	cfg, err := config.LoadDefaultConfig(ctx,
		config.WithRegion("us-east-1"),
		config.WithCredentialsProvider(credentials.NewStaticCredentialsProvider("test", "test", "")),
	)
	if err != nil {
		log.Fatal(err)
	}
	a := &app{
		s3: s3.NewFromConfig(cfg, func(o *s3.Options) {
			o.BaseEndpoint = aws.String(endpoint)
			o.UsePathStyle = true
		}),
		ddb:    dynamodb.NewFromConfig(cfg, func(o *dynamodb.Options) { o.BaseEndpoint = aws.String(endpoint) }),
		sqs:    sqs.NewFromConfig(cfg, func(o *sqs.Options) { o.BaseEndpoint = aws.String(endpoint) }),
		bucket: prefix + "-bucket",
		table:  prefix + "-table",
	}
	if err := a.setup(ctx, prefix+"-queue"); err != nil {
		log.Fatal(err)
	}

	mux := http.NewServeMux()
	mux.HandleFunc("GET /s3/put", a.s3Put)
	mux.HandleFunc("GET /s3/get", a.s3Get)
	mux.HandleFunc("GET /dynamodb/put", a.ddbPut)
	mux.HandleFunc("GET /dynamodb/get", a.ddbGet)
	mux.HandleFunc("GET /dynamodb/batch", a.ddbBatch)
	mux.HandleFunc("GET /dynamodb/query", a.ddbQuery)
	mux.HandleFunc("GET /sqs/send", a.sqsSend)
	mux.HandleFunc("GET /sqs/receive", a.sqsReceive)
	mux.HandleFunc("GET /background", a.background)
	srv := &http.Server{Addr: os.Getenv("ADDR"), Handler: mux}

	sigCtx, stop := signal.NotifyContext(ctx, syscall.SIGTERM, os.Interrupt)
	defer stop()
	go func() {
		<-sigCtx.Done()
		_ = srv.Shutdown(context.Background())
	}()
	if err := srv.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
		log.Fatal(err)
	}
}

// setup creates the bucket, table and queue, or finds them there.
func (a *app) setup(ctx context.Context, queue string) error {
	if _, err := a.s3.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: &a.bucket}); err != nil {
		var owned *s3types.BucketAlreadyOwnedByYou
		if !errors.As(err, &owned) {
			return err
		}
	}
	_, err := a.ddb.CreateTable(ctx, &dynamodb.CreateTableInput{
		TableName:            &a.table,
		AttributeDefinitions: []ddbtypes.AttributeDefinition{{AttributeName: aws.String("id"), AttributeType: ddbtypes.ScalarAttributeTypeS}},
		KeySchema:            []ddbtypes.KeySchemaElement{{AttributeName: aws.String("id"), KeyType: ddbtypes.KeyTypeHash}},
		BillingMode:          ddbtypes.BillingModePayPerRequest,
	})
	if err != nil {
		var inUse *ddbtypes.ResourceInUseException
		if !errors.As(err, &inUse) {
			return err
		}
	}
	out, err := a.sqs.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: &queue})
	if err != nil {
		return err
	}
	a.queueURL = *out.QueueUrl
	return nil
}

func fail(w http.ResponseWriter, err error) {
	http.Error(w, err.Error(), http.StatusInternalServerError)
}

func (a *app) s3Put(w http.ResponseWriter, r *http.Request) {
	key := r.URL.Query().Get("key")
	_, err := a.s3.PutObject(r.Context(), &s3.PutObjectInput{Bucket: &a.bucket, Key: &key, Body: strings.NewReader("hello " + key)})
	if err != nil {
		fail(w, err)
		return
	}
	fmt.Fprintln(w, "put")
}

func (a *app) s3Get(w http.ResponseWriter, r *http.Request) {
	key := r.URL.Query().Get("key")
	out, err := a.s3.GetObject(r.Context(), &s3.GetObjectInput{Bucket: &a.bucket, Key: &key})
	if err != nil {
		var missing *s3types.NoSuchKey
		if errors.As(err, &missing) {
			http.Error(w, "no such key", http.StatusNotFound)
			return
		}
		fail(w, err)
		return
	}
	defer out.Body.Close()
	_, _ = io.Copy(w, out.Body)
}

func (a *app) ddbPut(w http.ResponseWriter, r *http.Request) {
	item := map[string]ddbtypes.AttributeValue{
		"id":   &ddbtypes.AttributeValueMemberS{Value: r.URL.Query().Get("id")},
		"note": &ddbtypes.AttributeValueMemberS{Value: "hello"},
	}
	if _, err := a.ddb.PutItem(r.Context(), &dynamodb.PutItemInput{TableName: &a.table, Item: item}); err != nil {
		fail(w, err)
		return
	}
	fmt.Fprintln(w, "put")
}

func (a *app) ddbGet(w http.ResponseWriter, r *http.Request) {
	key := map[string]ddbtypes.AttributeValue{"id": &ddbtypes.AttributeValueMemberS{Value: r.URL.Query().Get("id")}}
	out, err := a.ddb.GetItem(r.Context(), &dynamodb.GetItemInput{TableName: &a.table, Key: key, ConsistentRead: aws.Bool(true)})
	if err != nil {
		fail(w, err)
		return
	}
	if out.Item == nil {
		http.Error(w, "no item", http.StatusNotFound)
		return
	}
	fmt.Fprintln(w, "found")
}

func (a *app) ddbBatch(w http.ResponseWriter, r *http.Request) {
	var writes []ddbtypes.WriteRequest
	for _, id := range []string{"b1", "b2"} {
		writes = append(writes, ddbtypes.WriteRequest{PutRequest: &ddbtypes.PutRequest{
			Item: map[string]ddbtypes.AttributeValue{"id": &ddbtypes.AttributeValueMemberS{Value: id}},
		}})
	}
	_, err := a.ddb.BatchWriteItem(r.Context(), &dynamodb.BatchWriteItemInput{RequestItems: map[string][]ddbtypes.WriteRequest{a.table: writes}})
	if err != nil {
		fail(w, err)
		return
	}
	fmt.Fprintln(w, "written")
}

func (a *app) ddbQuery(w http.ResponseWriter, r *http.Request) {
	out, err := a.ddb.Query(r.Context(), &dynamodb.QueryInput{
		TableName:                 &a.table,
		KeyConditionExpression:    aws.String("id = :id"),
		ExpressionAttributeValues: map[string]ddbtypes.AttributeValue{":id": &ddbtypes.AttributeValueMemberS{Value: r.URL.Query().Get("id")}},
		ConsistentRead:            aws.Bool(true),
		Limit:                     aws.Int32(5),
		ProjectionExpression:      aws.String("id"),
	})
	if err != nil {
		fail(w, err)
		return
	}
	fmt.Fprintln(w, out.Count)
}

func (a *app) sqsSend(w http.ResponseWriter, r *http.Request) {
	body := r.URL.Query().Get("body")
	out, err := a.sqs.SendMessage(r.Context(), &sqs.SendMessageInput{QueueUrl: &a.queueURL, MessageBody: &body})
	if err != nil {
		fail(w, err)
		return
	}
	fmt.Fprintln(w, *out.MessageId)
}

func (a *app) sqsReceive(w http.ResponseWriter, r *http.Request) {
	out, err := a.sqs.ReceiveMessage(r.Context(), &sqs.ReceiveMessageInput{
		QueueUrl:            &a.queueURL,
		MaxNumberOfMessages: 10,
		WaitTimeSeconds:     2,
	})
	if err != nil {
		fail(w, err)
		return
	}
	for _, m := range out.Messages {
		// What the program asked for: no message attributes.
		fmt.Fprintf(w, "%s attributes=%d\n", *m.Body, len(m.MessageAttributes))
		if _, err := a.sqs.DeleteMessage(r.Context(), &sqs.DeleteMessageInput{QueueUrl: &a.queueURL, ReceiptHandle: m.ReceiptHandle}); err != nil {
			fail(w, err)
			return
		}
	}
}

func (a *app) background(w http.ResponseWriter, _ *http.Request) {
	if _, err := a.s3.HeadBucket(context.Background(), &s3.HeadBucketInput{Bucket: &a.bucket}); err != nil {
		fail(w, err)
		return
	}
	fmt.Fprintln(w, "ok")
}
