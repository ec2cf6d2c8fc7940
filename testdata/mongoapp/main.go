// Command mongoapp serves HTTP on $ADDR and talks to the MongoDB server at
// $MONGO_URI through mongo-driver v1 (go.mongodb.org/mongo-driver) and v2
// (go.mongodb.org/mongo-driver/v2). It contains no OpenTelemetry code.
//
//	/v1/insert            InsertOne
//	/v1/find?name=N       FindOne (404 when none)
//	/v1/update            UpdateOne
//	/v1/delete            DeleteOne
//	/v1/duplicate         InsertOne of an _id that exists (500: a write error)
//	/v1/error             an unknown command (500)
//	/v1/background        FindOne with context.Background()
//	/v2/insert, /v2/find?name=N, /v2/duplicate, /v2/error: the same with v2
//	/v1/otelmongo         FindOne through a client with the contrib otelmongo
//	                      monitor (not in the oldest build: go build -tags oldest)
package main

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net/http"
	"os"

	bson1 "go.mongodb.org/mongo-driver/bson"
	mongo1 "go.mongodb.org/mongo-driver/mongo"
	options1 "go.mongodb.org/mongo-driver/mongo/options"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

func main() {
	ctx := context.Background()
	uri := os.Getenv("MONGO_URI")

	c1, err := mongo1.Connect(ctx, options1.Client().ApplyURI(uri))
	must(err)
	items1 := c1.Database("shop").Collection("items")
	c2, err := mongo.Connect(options.Client().ApplyURI(uri))
	must(err)
	items2 := c2.Database("shop").Collection("items2")
	_ = items1.Drop(ctx)
	_ = items2.Drop(ctx)

	mux := http.NewServeMux()
	mux.HandleFunc("/v1/insert", func(w http.ResponseWriter, r *http.Request) {
		_, err := items1.InsertOne(r.Context(), bson1.D{{Key: "_id", Value: 1}, {Key: "name", Value: "s3cret"}, {Key: "n", Value: 1}})
		reply(w, err)
	})
	mux.HandleFunc("/v1/find", func(w http.ResponseWriter, r *http.Request) {
		var doc bson1.M
		err := items1.FindOne(r.Context(), bson1.D{{Key: "name", Value: r.URL.Query().Get("name")}}).Decode(&doc)
		if errors.Is(err, mongo1.ErrNoDocuments) {
			http.Error(w, "none", http.StatusNotFound)
			return
		}
		reply(w, err)
	})
	mux.HandleFunc("/v1/update", func(w http.ResponseWriter, r *http.Request) {
		_, err := items1.UpdateOne(r.Context(), bson1.D{{Key: "_id", Value: 1}}, bson1.D{{Key: "$inc", Value: bson1.D{{Key: "n", Value: 5}}}})
		reply(w, err)
	})
	mux.HandleFunc("/v1/duplicate", func(w http.ResponseWriter, r *http.Request) {
		_, err := items1.InsertOne(r.Context(), bson1.D{{Key: "_id", Value: 1}, {Key: "name", Value: "again"}})
		reply(w, err)
	})
	mux.HandleFunc("/v1/delete", func(w http.ResponseWriter, r *http.Request) {
		_, err := items1.DeleteOne(r.Context(), bson1.D{{Key: "_id", Value: 1}})
		reply(w, err)
	})
	mux.HandleFunc("/v1/error", func(w http.ResponseWriter, r *http.Request) {
		reply(w, c1.Database("shop").RunCommand(r.Context(), bson1.D{{Key: "noSuchCommand", Value: 1}}).Err())
	})
	mux.HandleFunc("/v1/background", func(w http.ResponseWriter, r *http.Request) {
		err := items1.FindOne(context.Background(), bson1.D{{Key: "_id", Value: 1}}).Err()
		if errors.Is(err, mongo1.ErrNoDocuments) {
			err = nil
		}
		reply(w, err)
	})

	mux.HandleFunc("/v2/insert", func(w http.ResponseWriter, r *http.Request) {
		_, err := items2.InsertOne(r.Context(), bson.D{{Key: "_id", Value: 1}, {Key: "name", Value: "s3cret"}})
		reply(w, err)
	})
	mux.HandleFunc("/v2/find", func(w http.ResponseWriter, r *http.Request) {
		var doc bson.M
		err := items2.FindOne(r.Context(), bson.D{{Key: "name", Value: r.URL.Query().Get("name")}}).Decode(&doc)
		if errors.Is(err, mongo.ErrNoDocuments) {
			http.Error(w, "none", http.StatusNotFound)
			return
		}
		reply(w, err)
	})
	mux.HandleFunc("/v2/duplicate", func(w http.ResponseWriter, r *http.Request) {
		_, err := items2.InsertOne(r.Context(), bson.D{{Key: "_id", Value: 1}, {Key: "name", Value: "again"}})
		reply(w, err)
	})
	mux.HandleFunc("/v2/error", func(w http.ResponseWriter, r *http.Request) {
		reply(w, c2.Database("shop").RunCommand(r.Context(), bson.D{{Key: "noSuchCommand", Value: 1}}).Err())
	})

	for _, add := range routes {
		add(mux, uri)
	}
	log.Fatal(http.ListenAndServe(os.Getenv("ADDR"), mux))
}

// routes adds the handlers of other files (otelmongo.go).
var routes []func(*http.ServeMux, string)

func must(err error) {
	if err != nil {
		log.Fatal(err)
	}
}

func reply(w http.ResponseWriter, err error) {
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	fmt.Fprintln(w, "ok")
}
