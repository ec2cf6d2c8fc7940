//go:build !oldest

package main

import (
	"context"
	"net/http"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"
	"go.opentelemetry.io/contrib/instrumentation/go.mongodb.org/mongo-driver/mongo/otelmongo"
)

// /v1/otelmongo: FindOne through a client the program instruments itself
// with the contrib otelmongo monitor (left out of the oldest build:
// otelmongo needs mongo-driver v1.17).
func init() {
	routes = append(routes, func(mux *http.ServeMux, uri string) {
		c, err := mongo.Connect(context.Background(), options.Client().ApplyURI(uri).SetMonitor(otelmongo.NewMonitor()))
		must(err)
		items := c.Database("shop").Collection("items")
		mux.HandleFunc("/v1/otelmongo", func(w http.ResponseWriter, r *http.Request) {
			err := items.FindOne(r.Context(), bson.D{{Key: "_id", Value: 42}}).Err()
			if err == mongo.ErrNoDocuments {
				err = nil
			}
			reply(w, err)
		})
	})
}
