package main

import (
	"context"
	"errors"
	"log"
	"time"

	ibm "github.com/IBM/sarama"
	shopify "github.com/Shopify/sarama"
	"github.com/segmentio/kafka-go"
	"github.com/twmb/franz-go/pkg/kgo"
)

var topics = []string{"orders.kafkago", "orders.sarama", "orders.shopify", "orders.franz"}

func consumeKafka(ctx context.Context, addr string) []func() {
	createTopics(addr)

	reader := kafka.NewReader(kafka.ReaderConfig{
		Brokers: []string{addr}, GroupID: "kafkago-group", Topic: "orders.kafkago",
		StartOffset: kafka.FirstOffset, MaxWait: 200 * time.Millisecond,
	})
	go func() {
		for {
			m, err := reader.ReadMessage(ctx)
			if err != nil {
				return
			}
			seen("kafkago", string(m.Value))
		}
	}()

	ibmConfig := ibm.NewConfig()
	ibmConfig.Version = ibm.V2_1_0_0
	ibmConfig.Consumer.Offsets.Initial = ibm.OffsetOldest
	ibmGroup, err := ibm.NewConsumerGroup([]string{addr}, "sarama-group", ibmConfig)
	if err != nil {
		log.Fatal(err)
	}
	go func() {
		for ctx.Err() == nil {
			if err := ibmGroup.Consume(ctx, []string{"orders.sarama"}, ibmHandler{}); err != nil && !errors.Is(err, ibm.ErrClosedConsumerGroup) {
				log.Print(err)
				time.Sleep(100 * time.Millisecond)
			}
		}
	}()

	shopifyConfig := shopify.NewConfig()
	shopifyConfig.Version = shopify.V2_1_0_0
	shopifyConfig.Consumer.Offsets.Initial = shopify.OffsetOldest
	shopifyGroup, err := shopify.NewConsumerGroup([]string{addr}, "shopify-group", shopifyConfig)
	if err != nil {
		log.Fatal(err)
	}
	go func() {
		for ctx.Err() == nil {
			if err := shopifyGroup.Consume(ctx, []string{"orders.shopify"}, shopifyHandler{}); err != nil && !errors.Is(err, shopify.ErrClosedConsumerGroup) {
				log.Print(err)
				time.Sleep(100 * time.Millisecond)
			}
		}
	}()

	franz, err := kgo.NewClient(
		kgo.SeedBrokers(addr), kgo.ConsumerGroup("franz-group"), kgo.ConsumeTopics("orders.franz"),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()),
	)
	if err != nil {
		log.Fatal(err)
	}
	go func() {
		for {
			fetches := franz.PollFetches(ctx)
			if fetches.IsClientClosed() || ctx.Err() != nil {
				return
			}
			fetches.EachRecord(func(r *kgo.Record) {
				seen("franz", string(r.Value))
			})
		}
	}()

	return []func(){
		func() { reader.Close() },
		func() { ibmGroup.Close() },
		func() { shopifyGroup.Close() },
		franz.Close,
	}
}

// createTopics makes the topics before anyone consumes or produces.
func createTopics(addr string) {
	conn, err := kafka.Dial("tcp", addr)
	if err != nil {
		log.Fatal(err)
	}
	defer conn.Close()
	for _, t := range topics {
		err := conn.CreateTopics(kafka.TopicConfig{Topic: t, NumPartitions: 1, ReplicationFactor: 1})
		if err != nil && !errors.Is(err, kafka.TopicAlreadyExists) {
			log.Fatal(err)
		}
	}
}

type ibmHandler struct{}

func (ibmHandler) Setup(ibm.ConsumerGroupSession) error   { return nil }
func (ibmHandler) Cleanup(ibm.ConsumerGroupSession) error { return nil }
func (ibmHandler) ConsumeClaim(sess ibm.ConsumerGroupSession, claim ibm.ConsumerGroupClaim) error {
	for msg := range claim.Messages() {
		seen("sarama", string(msg.Value))
		sess.MarkMessage(msg, "")
	}
	return nil
}

type shopifyHandler struct{}

func (shopifyHandler) Setup(shopify.ConsumerGroupSession) error   { return nil }
func (shopifyHandler) Cleanup(shopify.ConsumerGroupSession) error { return nil }
func (shopifyHandler) ConsumeClaim(sess shopify.ConsumerGroupSession, claim shopify.ConsumerGroupClaim) error {
	for msg := range claim.Messages() {
		seen("shopify", string(msg.Value))
		sess.MarkMessage(msg, "")
	}
	return nil
}
