#pragma once
// Requests and responses as the API sees them: plain structs, so that only the server's
// own source includes Boost.Beast (compile time) and the API is tested without sockets.
#include <string>
#include <utility>
#include <vector>

namespace regpoll::web {

struct HttpRequest {
    std::string method;         // "GET"
    std::string target;         // "/api/v1/devices?x=1", as received
    std::string authorization;  // the Authorization header, "" when absent
};

struct HttpResponse {
    int status = 200;
    std::string content_type = "application/json";
    std::string body;
    std::vector<std::pair<std::string, std::string>> headers;  // more header fields
    // An event stream (text/event-stream): `body` is its first event, and the server's
    // feed sends the next ones until the client goes or falls behind.
    bool event_stream = false;
};

// {"error": message} with `status`.
HttpResponse json_error(int status, const std::string& message);

}  // namespace regpoll::web
