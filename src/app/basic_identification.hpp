#pragma once
// FC43/14 "read device identification", basic objects (vendor, product code, revision),
// as scan and identify ask for them.
#include <string>

#include "app/session.hpp"

namespace regpoll::app {

struct BasicIdentification {
    std::string vendor, product_code, revision;
    bool answered = false;   // the device sent identification objects
    bool timed_out = false;  // the device did not answer the request in time
    bool empty() const { return vendor.empty() && product_code.empty() && revision.empty(); }
};

// Reads the basic objects of the session's unit, following "more follows" a few times. An
// exception reply (FC43 not supported) leaves it unanswered; link errors other than a
// timeout are not told apart from that either: the caller's own reads report them.
BasicIdentification read_basic_identification(Session& session);

}  // namespace regpoll::app
