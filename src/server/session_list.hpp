#pragma once
// The open connections of a TCP server, held weakly: a session lives as long as its own
// pending reads and writes, and the list only finds, counts and closes the ones still open.
#include <list>
#include <memory>

namespace regpoll::server {

template <class Session>  // has is_open() and close()
class SessionList {
  public:
    void add(std::weak_ptr<Session> session) { sessions_.push_back(std::move(session)); }

    // Forgets the sessions that have ended; returns how many are open.
    std::size_t prune() {
        sessions_.remove_if([](const std::weak_ptr<Session>& w) {
            auto s = w.lock();
            return !s || !s->is_open();
        });
        return sessions_.size();
    }

    std::size_t open() const {
        std::size_t n = 0;
        for (const auto& w : sessions_) {
            if (auto s = w.lock(); s && s->is_open()) ++n;
        }
        return n;
    }

    void close_all() {
        for (auto& w : sessions_) {
            if (auto s = w.lock()) s->close();
        }
        sessions_.clear();
    }

  private:
    std::list<std::weak_ptr<Session>> sessions_;
};

}  // namespace regpoll::server
