namespace go echo

struct Request {
    1: string message
}

struct Response {
    1: string message
}

service Echo {
    // Say answers with the request's message.
    Response Say(1: Request req)
    // Fail returns an error from the handler.
    Response Fail(1: Request req)
    // Find answers with a business status error (404).
    Response Find(1: Request req)
}
