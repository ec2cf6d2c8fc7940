// Package early sorts before otelgo.dev, so the go command initialises it
// before otelgo's hook packages: its package variables make clients and its
// init uses each once, as a service that checks its backends as it starts
// does. main then uses them again.
package early

import (
	"context"
	"errors"
	"os"
	"time"

	"github.com/IBM/sarama"
	"github.com/bradfitz/gomemcache/memcache"
	redigo "github.com/gomodule/redigo/redis"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/nats-io/nats.go"
	amqp "github.com/rabbitmq/amqp091-go"
	"github.com/redis/go-redis/v9"
	"github.com/segmentio/kafka-go"
	"github.com/twmb/franz-go/pkg/kgo"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

var (
	Redis      = redis.NewClient(&redis.Options{Addr: os.Getenv("REDIS_ADDR")})
	Memcache   = memcache.New(os.Getenv("MEMCACHED_ADDR"))
	KafkaGo    = &kafka.Writer{Addr: kafka.TCP(os.Getenv("KAFKA_ADDR")), Topic: "early.kafkago", BatchTimeout: 10 * time.Millisecond}
	Franz, _   = kgo.NewClient(kgo.SeedBrokers(os.Getenv("KAFKA_ADDR")), kgo.AllowAutoTopicCreation())
	PG, _      = pgxpool.New(context.Background(), os.Getenv("PG_URL"))
	Mongo, _   = mongo.Connect(options.Client().ApplyURI(os.Getenv("MONGO_URI")))
	Redigo     redigo.Conn
	Sarama     sarama.SyncProducer
	AMQP       *amqp.Channel
	NATS       *nats.Conn
	startupErr error
)

// Use calls each client once; who is the caller, for the messages.
func Use(ctx context.Context, who string) error {
	value := []byte(who)
	return errors.Join(
		Redis.Set(ctx, "who", who, 0).Err(),
		do(Redigo.Do("SET", "who", who)),
		Memcache.Set(&memcache.Item{Key: "who", Value: value}),
		KafkaGo.WriteMessages(ctx, kafka.Message{Value: value}),
		Franz.ProduceSync(ctx, &kgo.Record{Topic: "early.franz", Value: value}).FirstErr(),
		send(Sarama.SendMessage(&sarama.ProducerMessage{Topic: "early.sarama", Value: sarama.ByteEncoder(value)})),
		AMQP.PublishWithContext(ctx, "", "early.amqp", false, false, amqp.Publishing{Body: value}),
		NATS.Publish("early.nats", value),
		exec(PG.Exec(ctx, "SELECT $1::text", who)),
		insert(Mongo.Database("early").Collection("who").InsertOne(ctx, bson.D{{Key: "who", Value: who}})),
	)
}

func init() {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var err error
	if Redigo, err = redigo.Dial("tcp", os.Getenv("REDIS_ADDR")); err != nil {
		startupErr = err
		return
	}
	config := sarama.NewConfig()
	config.Producer.Return.Successes = true
	if Sarama, err = sarama.NewSyncProducer([]string{os.Getenv("KAFKA_ADDR")}, config); err != nil {
		startupErr = err
		return
	}
	conn, err := amqp.Dial(os.Getenv("AMQP_URL"))
	if err != nil {
		startupErr = err
		return
	}
	if AMQP, err = conn.Channel(); err != nil {
		startupErr = err
		return
	}
	if _, err = AMQP.QueueDeclare("early.amqp", false, true, false, false, nil); err != nil {
		startupErr = err
		return
	}
	if NATS, err = nats.Connect(os.Getenv("NATS_URL")); err != nil {
		startupErr = err
		return
	}
	if err = createTopics(); err != nil {
		startupErr = err
		return
	}
	startupErr = Use(ctx, "early")
}

// Err is what went wrong in init, if anything did.
func Err() error { return startupErr }

func createTopics() error {
	conn, err := kafka.Dial("tcp", os.Getenv("KAFKA_ADDR"))
	if err != nil {
		return err
	}
	defer conn.Close()
	for _, t := range []string{"early.kafkago", "early.franz", "early.sarama"} {
		err := conn.CreateTopics(kafka.TopicConfig{Topic: t, NumPartitions: 1, ReplicationFactor: 1})
		if err != nil && !errors.Is(err, kafka.TopicAlreadyExists) {
			return err
		}
	}
	return nil
}

func do(_ any, err error) error                        { return err }
func send(_ int32, _ int64, err error) error           { return err }
func exec[T any](_ T, err error) error                 { return err }
func insert(_ *mongo.InsertOneResult, err error) error { return err }
